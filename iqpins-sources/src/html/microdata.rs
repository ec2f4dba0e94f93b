//! Microdata (`itemscope` / `itemprop`) read into the same JSON shape as JSON-LD, so one
//! schema.org mapping serves both.

use scraper::{ElementRef, Html};
use serde_json::{Map, Value};
use url::Url;

use crate::text::{clean, resolve};

/// The top-level items of the page (those with `itemscope` and no `itemprop`).
pub(crate) fn items(doc: &Html, base: Option<&Url>) -> Vec<Value> {
    let mut out = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let v = el.value();
        if v.attr("itemscope").is_some() && v.attr("itemprop").is_none() {
            out.push(item(el, base, 0));
        }
    }
    out
}

fn item(el: ElementRef<'_>, base: Option<&Url>, depth: usize) -> Value {
    let mut map = Map::new();
    if let Some(t) = el.value().attr("itemtype") {
        let types: Vec<Value> = t
            .split_whitespace()
            .map(|s| Value::String(s.to_owned()))
            .collect();
        if types.len() == 1 {
            map.insert("@type".into(), types[0].clone());
        } else if !types.is_empty() {
            map.insert("@type".into(), Value::Array(types));
        }
    }
    if let Some(id) = el.value().attr("itemid") {
        map.insert("@id".into(), Value::String(id.to_owned()));
    }
    if depth < 8 {
        collect(el, &mut map, base, depth);
    }
    Value::Object(map)
}

fn collect(el: ElementRef<'_>, map: &mut Map<String, Value>, base: Option<&Url>, depth: usize) {
    for child in el.child_elements() {
        let cv = child.value();
        let scoped = cv.attr("itemscope").is_some();
        if let Some(props) = cv.attr("itemprop") {
            let value = if scoped {
                item(child, base, depth + 1)
            } else {
                match value_of(child, base) {
                    Some(v) => Value::String(v),
                    None => Value::Null,
                }
            };
            if !value.is_null() {
                for name in props.split_whitespace() {
                    let name = name.rsplit('/').next().unwrap_or(name).to_owned();
                    match map.get_mut(&name) {
                        Some(Value::Array(a)) => a.push(value.clone()),
                        Some(existing) => {
                            let first = existing.take();
                            *existing = Value::Array(vec![first, value.clone()]);
                        }
                        None => {
                            map.insert(name, value.clone());
                        }
                    }
                }
            }
        }
        if !scoped {
            collect(child, map, base, depth);
        }
    }
}

/// The value of a property element, by tag (HTML microdata rules), with `content`
/// taking precedence as most parsers allow.
fn value_of(el: ElementRef<'_>, base: Option<&Url>) -> Option<String> {
    let v = el.value();
    if let Some(c) = v.attr("content") {
        return clean(c);
    }
    let url_attr = match v.name() {
        "audio" | "embed" | "iframe" | "img" | "source" | "track" | "video" => Some("src"),
        "a" | "area" | "link" => Some("href"),
        "object" => Some("data"),
        _ => None,
    };
    if let Some(attr) = url_attr {
        let raw = v.attr(attr).or_else(|| v.attr("data-src"))?;
        return resolve(raw, base).or_else(|| clean(raw));
    }
    match v.name() {
        "data" | "meter" => {
            if let Some(val) = v.attr("value") {
                return clean(val);
            }
        }
        "time" => {
            if let Some(dt) = v.attr("datetime") {
                return clean(dt);
            }
        }
        _ => {}
    }
    let text: String = el.text().collect::<Vec<_>>().join(" ");
    clean(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_items_and_properties_are_read() {
        let doc = Html::parse_document(
            r#"<div itemscope itemtype="http://schema.org/Product">
                 <span itemprop="name">Kettle</span>
                 <img itemprop="image" src="/k.jpg">
                 <div itemprop="offers" itemscope itemtype="http://schema.org/Offer">
                   <meta itemprop="price" content="19.99"><span itemprop="priceCurrency">EUR</span>
                 </div></div>"#,
        );
        let base = Url::parse("https://s.example/p/").unwrap();
        let items = items(&doc, Some(&base));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["name"], "Kettle");
        assert_eq!(items[0]["image"], "https://s.example/k.jpg");
        assert_eq!(items[0]["offers"]["price"], "19.99");
        assert_eq!(items[0]["offers"]["priceCurrency"], "EUR");
    }
}
