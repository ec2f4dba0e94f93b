-- Which picture publishing sends: the source photo by URL ('photo') or the rendered
-- 1000x1500 creative as bytes ('creative'). Drafts made before this column keep
-- publishing their photo, as they did.
ALTER TABLE drafts ADD COLUMN image_send TEXT NOT NULL DEFAULT 'photo'
    CHECK (image_send IN ('photo', 'creative'));
