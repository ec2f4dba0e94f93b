use super::*;
use crate::Availability;

fn read(data: &str, options: CsvOptions) -> (Vec<ContentItem>, Vec<RowError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for r in CsvItems::new(data.as_bytes(), options).unwrap() {
        match r {
            Ok(i) => items.push(i),
            Err(e) => errors.push(e),
        }
    }
    (items, errors)
}

#[test]
fn shopify_variants_are_grouped_by_handle() {
    let data = "\u{feff}Handle,Title,Body (HTML),Vendor,Tags,Variant SKU,Variant Price,Image Src,Image Alt Text\n\
        mug,Blue Mug,<p>A <b>blue</b> mug</p>,Acme,\"kitchen, mugs\",M-1,12.50,https://cdn.example/m1.jpg,front\n\
        mug,,,,,M-2,13.00,https://cdn.example/m2.jpg,side\n\
        tea,Green Tea,,Leaf,,T-1,4,,\n";
    let options = CsvOptions {
        currency: Some(Currency::parse("EUR").unwrap()),
        base_url: Some(Url::parse("https://shop.example").unwrap()),
        ..CsvOptions::default()
    };
    let (items, errors) = read(data, options);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(items.len(), 2);
    let mug = &items[0];
    assert_eq!(mug.title.as_deref(), Some("Blue Mug"));
    assert_eq!(mug.summary.as_deref(), Some("A blue mug"));
    assert_eq!(mug.images.len(), 2);
    assert_eq!(mug.images[1].alt.as_deref(), Some("side"));
    assert_eq!(mug.price.as_ref().unwrap().amount().as_str(), "12.50");
    assert_eq!(mug.keywords, ["kitchen", "mugs"]);
    assert_eq!(
        mug.url.as_deref(),
        Some("https://shop.example/products/mug")
    );
    assert_eq!(items[1].sku.as_deref(), Some("T-1"));
}

#[test]
fn prices_without_a_currency_are_left_out_not_guessed() {
    let data = "Handle,Title,Variant Price\nmug,Mug,12.50\n";
    let (items, _) = read(data, CsvOptions::default());
    assert_eq!(items[0].price, None);
}

#[test]
fn merchant_tsv_feeds_read_price_with_currency() {
    let data = "id\ttitle\tdescription\tlink\timage_link\tprice\tavailability\tbrand\n\
        A1\tLamp\tA lamp\thttps://s.example/lamp\thttps://s.example/l.jpg\t15.00 USD\tin stock\tLux\n\
        A2\tBad\tx\thttps://s.example/b\thttps://s.example/b.jpg\tcheap\tin stock\tLux\n";
    let (items, errors) = read(data, CsvOptions::default());
    assert_eq!(items.len(), 1);
    let p = items[0].price.as_ref().unwrap();
    assert_eq!(
        (p.amount().as_str(), p.currency().as_str()),
        ("15.00", "USD")
    );
    assert_eq!(items[0].availability, Some(Availability::InStock));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].reason.contains("cheap"), "{}", errors[0]);
}

#[test]
fn semicolons_quoted_newlines_and_bad_rows_are_handled() {
    let data = "Title;Media URL;Pinterest board;Description;Link;Keywords\n\
        \"Soup\";https://c.example/s.jpg;Food;\"Hot\nsoup\";https://c.example/soup;\"a,b\"\n\
        ;https://c.example/x.jpg;Food;;;\n\
        Bread;https://c.example/b.jpg;Food;;https://c.example/b\n\
        Cake;https://c.example/c.jpg;Food;Sweet;https://c.example/c;\n";
    let (items, errors) = read(data, CsvOptions::default());
    assert_eq!(items.len(), 2, "{errors:?}");
    assert_eq!(items[0].summary.as_deref(), Some("Hot soup"));
    assert_eq!(items[0].keywords, ["a", "b"]);
    assert_eq!(items[1].title.as_deref(), Some("Cake"));
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 5]);
    assert!(errors[0].reason.contains("missing Title"));
    assert!(errors[1].reason.contains("fields"));
}

#[test]
fn generic_files_need_a_mapping() {
    let data = "Name,Address,Cost\nMug,https://s.example/m,3.00\n";
    let e = CsvItems::new(data.as_bytes(), CsvOptions::default()).unwrap_err();
    assert!(e.to_string().contains("column mapping"), "{e}");
    let options = CsvOptions {
        mapping: Some(ColumnMapping {
            title: "name".into(),
            url: Some("Address".into()),
            price: Some("Cost".into()),
            ..ColumnMapping::default()
        }),
        currency: Some(Currency::parse("GBP").unwrap()),
        ..CsvOptions::default()
    };
    let (items, errors) = read(data, options);
    assert!(errors.is_empty());
    assert_eq!(items[0].url.as_deref(), Some("https://s.example/m"));
    assert_eq!(items[0].price.as_ref().unwrap().currency().as_str(), "GBP");
}

#[test]
fn woocommerce_variations_fill_their_parent() {
    let data = "ID,Type,SKU,Name,Parent,Regular price,Images,In stock?\n\
        44,variable,tee,T-Shirt,,,https://w.example/t.jpg,1\n\
        45,variation,tee-s,T-Shirt - S,id:44,18,https://w.example/ts.jpg,1\n\
        46,simple,cap,Cap,,12,,0\n";
    let options = CsvOptions {
        currency: Some(Currency::parse("USD").unwrap()),
        ..CsvOptions::default()
    };
    let (items, errors) = read(data, options);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].price.as_ref().unwrap().amount().as_str(), "18");
    assert_eq!(items[0].images.len(), 2);
    assert_eq!(items[1].availability, Some(Availability::OutOfStock));
}
