"""Pillow doing the work of iqpins-creative's `render`, for a side-by-side speed figure.

For each photo: decode, cover-fit into the 1000x(1500-band) picture with Lanczos (a centre
crop: simpler than our edge-energy crop), a band coloured from the picture, the title wrapped
to at most three lines in Noto Sans Bold, a price badge, a domain footer, JPEG quality 85.

    python creative.py FONT_BOLD FONT_REGULAR PHOTO... [--seconds N] [--draft] [--cpu]

--draft lets Pillow's JPEG decoder decode at a reduced size (Image.draft), the same trick
iqpins-creative uses; without it Pillow decodes at full size, as most code does.
--cpu counts the CPU time of this thread (time.thread_time) instead of wall time, like the
criterion bench with CREATIVE_BENCH_CLOCK=cpu: steadier on a machine shared with other work.
Prints creatives/s for each photo and for the mix (one creative per photo per round).
"""

import io
import sys
import time

from PIL import Image, ImageDraw, ImageFont

W, H = 1000, 1500
TITLE = "Hand-roasted Colombian coffee beans, 1 kg bag — fresh from the roaster"
PRICE = "€24.90"
DOMAIN = "shop.example"
MARGIN = 64
TITLE_SIZE = 60
LINE_H = int(TITLE_SIZE * 1.22)
PAD = 56
FOOTER_SIZE = 34


def wrap(draw, text, font, max_w, max_lines=3):
    words, lines, cur = text.split(), [], ""
    for word in words:
        trial = f"{cur} {word}".strip()
        if draw.textlength(trial, font=font) <= max_w:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and draw.textlength(last + "…", font=font) > max_w:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def luminance(c):
    def ch(v):
        v = v / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = c
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a, b):
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def render(data, bold, bold_badge, regular, draft):
    src = Image.open(io.BytesIO(data))
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    lines = wrap(measure, TITLE, bold, W - 2 * MARGIN)
    band_h = 2 * PAD + len(lines) * LINE_H + 18 + int(FOOTER_SIZE * 1.22)
    pic_h = H - band_h
    if draft:
        src.draft("RGB", (W, pic_h))
    src = src.convert("RGB")
    sw, sh = src.size
    if sw / sh > W / pic_h:
        cw = sh * W / pic_h
        box = ((sw - cw) / 2, 0, (sw + cw) / 2, sh)
    else:
        ch = sw * pic_h / W
        box = (0, (sh - ch) / 2, sw, (sh + ch) / 2)
    picture = src.resize((W, pic_h), Image.LANCZOS, box=box)
    canvas = Image.new("RGB", (W, H))
    canvas.paste(picture, (0, 0))
    strip = picture.crop((0, pic_h - 24, W, pic_h)).resize((1, 1), Image.BOX).getpixel((0, 0))
    white, ink = (255, 255, 255), (17, 17, 17)
    text = white if contrast(strip, white) >= contrast(strip, ink) else ink
    band = strip
    for _ in range(60):
        if contrast(band, text) >= 5.0:
            break
        band = tuple(int(v * 0.88) if text == white else int(v + (255 - v) * 0.12 + 0.999) for v in band)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, pic_h, W, H), fill=band)
    y = pic_h + PAD
    for line in lines:
        lw = draw.textlength(line, font=bold)
        draw.text(((W - lw) / 2, y), line, font=bold, fill=text)
        y += LINE_H
    y += 18
    fw = draw.textlength(DOMAIN, font=regular)
    draw.text(((W - fw) / 2, y), DOMAIN, font=regular, fill=text)
    pw = draw.textlength(PRICE, font=bold_badge)
    bh = 80
    bw = pw + bh
    x0, y0 = W - 48 - bw, 48
    draw.rounded_rectangle((x0, y0, x0 + bw, y0 + bh), radius=bh / 2, fill=text)
    draw.text((x0 + bh / 2, y0 + 8), PRICE, font=bold_badge, fill=band)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85)
    return out.getvalue()


def rate(fn, seconds, clock=time.perf_counter):
    fn()  # warm-up
    n, start = 0, clock()
    while True:
        fn()
        n += 1
        elapsed = clock() - start
        if elapsed >= seconds:
            return n / elapsed


def main(argv):
    seconds, draft, clock, args = 3.0, False, time.perf_counter, []
    it = iter(argv)
    for a in it:
        if a == "--seconds":
            seconds = float(next(it))
        elif a == "--draft":
            draft = True
        elif a == "--cpu":
            clock = time.thread_time
        else:
            args.append(a)
    bold_path, regular_path, photos = args[0], args[1], args[2:]
    bold = ImageFont.truetype(bold_path, TITLE_SIZE)
    bold_badge = ImageFont.truetype(bold_path, 50)
    regular = ImageFont.truetype(regular_path, FOOTER_SIZE)
    datas = [(p.rsplit("/", 1)[-1], open(p, "rb").read()) for p in sorted(photos)]
    label = "pillow+draft" if draft else "pillow"
    for name, data in datas:
        r = rate(lambda: render(data, bold, bold_badge, regular, draft), seconds, clock)
        print(f"{label} {name}: {r:.1f} creatives/s")

    def mix():
        for _, data in datas:
            render(data, bold, bold_badge, regular, draft)

    r = rate(mix, seconds, clock) * len(datas)
    print(f"{label} all: {r:.1f} creatives/s")


if __name__ == "__main__":
    main(sys.argv[1:])
