//! Board-suggestion accuracy on a labelled set: 48 items of a lifestyle shop and blog
//! (English, French, German, Spanish, Italian and Japanese), 10 boards, and the board a
//! person would pick for each. The figure is in iqpins-core/README.md; this test holds it.

// Helpers outside #[test] functions unwrap fixed, known-good values too.
#![allow(clippy::unwrap_used)]

use iqpins_core::generate::BoardIndex;
use iqpins_core::{Board, BoardId, ContentItem};

fn board(id: &str, name: &str, description: &str) -> Board {
    Board {
        id: BoardId::parse(id).unwrap(),
        name: name.into(),
        description: Some(description.into()),
        privacy: Some("PUBLIC".into()),
    }
}

fn boards() -> Vec<Board> {
    vec![
        board(
            "101",
            "Kitchen & Dining",
            "Mugs, plates, cookware, knives and table linen for the kitchen",
        ),
        board(
            "102",
            "Easy Recipes",
            "Quick dinners, baking, desserts and salads",
        ),
        board(
            "103",
            "Garden & Outdoor",
            "Plants, planters, patio furniture and gardening tools",
        ),
        board(
            "104",
            "Women's Fashion",
            "Dresses, tops, skirts, jackets and shoes for women",
        ),
        board(
            "105",
            "Men's Style",
            "Shirts, trousers, suits and shoes for men",
        ),
        board(
            "106",
            "Home Decor",
            "Living room and bedroom: lamps, cushions, rugs, candles and wall art",
        ),
        board(
            "107",
            "Kids & Baby",
            "Toys, nursery furniture and children's clothes",
        ),
        board(
            "108",
            "Travel",
            "Destinations, city guides, hotels and packing lists",
        ),
        board(
            "109",
            "Fitness & Wellness",
            "Workouts, yoga, running and healthy habits",
        ),
        board(
            "110",
            "Jewelry & Accessories",
            "Necklaces, earrings, rings, handbags and watches",
        ),
    ]
}

/// (title, category, keywords, the board a person would choose)
const LABELLED: &[(&str, &str, &[&str], &str)] = &[
    (
        "Stoneware Coffee Mug, Speckled Blue, 350 ml",
        "Home > Kitchen > Mugs",
        &["mug", "coffee"],
        "101",
    ),
    (
        "Cast Iron Skillet 26 cm",
        "Cookware",
        &["pan", "cooking"],
        "101",
    ),
    ("Linen Table Napkins, Set of 4", "Table Linen", &[], "101"),
    (
        "Chef's Knife with Walnut Handle",
        "Kitchen > Knives",
        &["knife"],
        "101",
    ),
    (
        "Porcelain Dinner Plates — Set of 6",
        "Dining",
        &["plates", "tableware"],
        "101",
    ),
    (
        "One-Pot Lemon Chicken Orzo",
        "Dinner",
        &["recipe", "chicken", "weeknight"],
        "102",
    ),
    (
        "The Best Banana Bread You'll Ever Bake",
        "Baking",
        &["banana bread", "baking"],
        "102",
    ),
    (
        "Tarte aux pommes facile",
        "Desserts",
        &["recette", "tarte"],
        "102",
    ),
    (
        "15-Minute Greek Salad",
        "Salads",
        &["salad", "quick"],
        "102",
    ),
    (
        "Chocolate Lava Cakes for Two",
        "Desserts",
        &["chocolate", "dessert"],
        "102",
    ),
    (
        "Terracotta Planter with Saucer, 30 cm",
        "Garden > Planters",
        &["planter", "pots"],
        "103",
    ),
    (
        "Monstera Deliciosa — Large Indoor Plant",
        "Plants",
        &["houseplant"],
        "103",
    ),
    (
        "Teak Patio Bench",
        "Outdoor Furniture",
        &["patio", "garden"],
        "103",
    ),
    (
        "Gartenschere aus Edelstahl",
        "Gartenwerkzeug",
        &["garten"],
        "103",
    ),
    (
        "How to Start a Vegetable Garden in Spring",
        "Gardening",
        &["vegetables", "gardening"],
        "103",
    ),
    (
        "Floral Wrap Midi Dress",
        "Women > Dresses",
        &["dress", "summer"],
        "104",
    ),
    (
        "Cropped Denim Jacket for Women",
        "Women > Jackets",
        &[],
        "104",
    ),
    ("Pleated Satin Skirt", "Skirts", &["skirt"], "104"),
    (
        "Vestido largo de lino para mujer",
        "Vestidos",
        &["vestido", "mujer"],
        "104",
    ),
    (
        "Leather Ankle Boots with Block Heel",
        "Women > Shoes",
        &["boots"],
        "104",
    ),
    (
        "Oxford Button-Down Shirt, Slim Fit",
        "Men > Shirts",
        &["shirt"],
        "105",
    ),
    (
        "Wool Blend Suit Trousers for Men",
        "Men > Trousers",
        &[],
        "105",
    ),
    (
        "Suede Chelsea Boots for Men",
        "Men > Shoes",
        &["boots", "men"],
        "105",
    ),
    ("Navy Two-Piece Suit", "Suits", &["suit", "wedding"], "105"),
    (
        "Brass Table Lamp with Linen Shade",
        "Lighting",
        &["lamp"],
        "106",
    ),
    (
        "Velvet Cushion Cover, Emerald",
        "Cushions",
        &["cushion", "living room"],
        "106",
    ),
    ("Hand-Woven Jute Rug 160×230", "Rugs", &["rug"], "106"),
    (
        "Soy Candle — Fig & Cedar",
        "Candles",
        &["candle", "scented"],
        "106",
    ),
    (
        "Abstract Wall Art Print, A2",
        "Wall Art",
        &["print", "poster"],
        "106",
    ),
    (
        "Bougie parfumée à la lavande",
        "Bougies",
        &["bougie"],
        "106",
    ),
    (
        "Wooden Stacking Toy Rainbow",
        "Toys",
        &["toddler", "wooden toys"],
        "107",
    ),
    (
        "Organic Cotton Baby Romper",
        "Baby > Clothes",
        &["baby", "newborn"],
        "107",
    ),
    (
        "Convertible Crib for the Nursery",
        "Nursery",
        &["crib", "nursery"],
        "107",
    ),
    (
        "Holzspielzeug Eisenbahn für Kinder",
        "Spielzeug",
        &["kinder"],
        "107",
    ),
    (
        "48 Hours in Lisbon: A City Guide",
        "City Guides",
        &["lisbon", "portugal"],
        "108",
    ),
    (
        "The Ultimate Carry-On Packing List",
        "Travel Tips",
        &["packing", "carry-on"],
        "108",
    ),
    (
        "Best Boutique Hotels in Kyoto",
        "Hotels",
        &["japan", "kyoto"],
        "108",
    ),
    (
        "Road Trip Along the Amalfi Coast",
        "Destinations",
        &["italy", "road trip"],
        "108",
    ),
    (
        "Guida di viaggio: Roma in tre giorni",
        "Viaggi",
        &["roma", "viaggio"],
        "108",
    ),
    (
        "20-Minute Full-Body Workout at Home",
        "Workouts",
        &["workout", "home gym"],
        "109",
    ),
    ("Yoga Mat, Non-Slip, 6 mm", "Yoga", &["yoga"], "109"),
    (
        "Couch to 5K: A Beginner Running Plan",
        "Running",
        &["running", "5k"],
        "109",
    ),
    (
        "Morning Habits for Better Sleep",
        "Wellness",
        &["sleep", "healthy habits"],
        "109",
    ),
    (
        "Gold Hoop Earrings, 14k",
        "Jewelry > Earrings",
        &["earrings", "gold"],
        "110",
    ),
    (
        "Pearl Pendant Necklace",
        "Necklaces",
        &["necklace", "pearl"],
        "110",
    ),
    ("Minimalist Leather Watch", "Watches", &["watch"], "110"),
    ("Woven Straw Handbag", "Bags", &["handbag", "summer"], "110"),
    ("キッチン用 木製まな板", "キッチン", &["まな板"], "101"),
];

/// The figure in the README: at least this share of items get the person's board.
const ACCURACY_FLOOR: f64 = 0.85;
/// Of the suggestions made, at least this share are right.
const PRECISION_FLOOR: f64 = 0.9;

fn item(title: &str, category: &str, keywords: &[&str]) -> ContentItem {
    ContentItem {
        title: Some(title.into()),
        category: Some(category.into()),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        ..Default::default()
    }
}

#[test]
fn the_labelled_set_is_big_enough() {
    assert!(LABELLED.len() >= 40);
    assert!(boards().len() >= 8);
    for b in boards() {
        assert!(
            LABELLED.iter().any(|l| l.3 == b.id.as_str()),
            "no item for {}",
            b.name
        );
    }
}

#[test]
fn board_suggestions_match_what_a_person_would_choose() {
    let mut boards = boards();
    // Japanese boards are common for Japanese shops; the set checks CJK matching too.
    boards[0].description = Some(format!(
        "{} キッチン 用品",
        boards[0].description.clone().unwrap()
    ));
    let index = BoardIndex::new(&boards);
    let (mut right, mut suggested, mut misses) = (0usize, 0usize, Vec::new());
    for (title, category, keywords, expected) in LABELLED {
        let got = index.suggest(&item(title, category, keywords));
        if let Some(s) = &got {
            suggested += 1;
            assert!((0.0..=1.0).contains(&s.confidence));
        }
        match got {
            Some(s) if s.id.as_str() == *expected => right += 1,
            other => misses.push(format!(
                "{title}: expected {expected}, got {:?}",
                other.map(|s| (s.name, s.confidence))
            )),
        }
    }
    let accuracy = right as f64 / LABELLED.len() as f64;
    let precision = right as f64 / suggested.max(1) as f64;
    println!(
        "board accuracy {right}/{} = {accuracy:.3}; precision {right}/{suggested} = {precision:.3}\nmisses:\n{}",
        LABELLED.len(),
        misses.join("\n")
    );
    assert!(
        accuracy >= ACCURACY_FLOOR,
        "accuracy {accuracy:.3}; misses:\n{}",
        misses.join("\n")
    );
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {precision:.3}; misses:\n{}",
        misses.join("\n")
    );
}

/// Boards and items in the same language other than English: accents, plurals, German
/// compounds' inflections and Japanese without spaces.
#[test]
fn boards_in_other_languages_match_items_in_those_languages() {
    let boards = vec![
        board(
            "201",
            "Recettes de cuisine",
            "Plats, desserts et pâtisserie maison",
        ),
        board(
            "202",
            "Décoration intérieure",
            "Idées déco pour le salon et la chambre",
        ),
        board("203", "Gartenideen", "Pflanzen, Beete und Gartenmöbel"),
        board("204", "Küche", "Küchenhelfer, Töpfe und Geschirr"),
        board("205", "和食レシピ", "簡単な和食の作り方"),
        board("206", "旅行", "国内旅行と海外旅行のガイド"),
        board("207", "Recetas", "Postres, cenas y comidas fáciles"),
        board("208", "Viajes", "Destinos y guías de viaje"),
    ];
    let index = BoardIndex::new(&boards);
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "Tarte tatin aux pommes caramélisées",
            "Desserts",
            &["pâtisserie"],
            "201",
        ),
        (
            "Coussins en velours pour le salon",
            "Déco",
            &["decoration"],
            "202",
        ),
        ("Hochbeet aus Holz für Gemüse", "Garten", &["beet"], "203"),
        (
            "Gusseiserner Topf, 24 cm",
            "Küchenhelfer",
            &["töpfe"],
            "204",
        ),
        ("本格的な和食の肉じゃがレシピ", "和食", &[], "205"),
        ("京都旅行のおすすめガイド", "旅行", &[], "206"),
        ("Receta fácil de flan casero", "Postres", &["receta"], "207"),
        (
            "Guía de viaje: Lisboa en tres días",
            "Viajes",
            &["destinos"],
            "208",
        ),
    ];
    for (title, category, keywords, expected) in cases {
        let got = index.suggest(&item(title, category, keywords));
        assert_eq!(
            got.as_ref().map(|s| s.id.as_str()),
            Some(*expected),
            "{title}: {got:?}"
        );
    }
}

#[test]
fn an_unrelated_item_gets_no_board() {
    let index = BoardIndex::new(&boards());
    for (t, c) in [
        ("Quarterly investor report 2026", "Investors"),
        ("Privacy policy", ""),
        ("Firmware update 3.2 release notes", "Support"),
    ] {
        assert!(index.suggest(&item(t, c, &[])).is_none(), "{t}");
    }
}
