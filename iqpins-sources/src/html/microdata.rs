//! Microdata (`itemscope` / `itemprop` / `itemref`) read into the same JSON shape as
//! JSON-LD, so one schema.org mapping serves both.
//!
//! Items are gathered while the markup streams past (see [`super::markup`]): each
//! property is recorded when its element starts, so properties keep document order, and
//! a property whose value is the element's text is filled in when the element ends. URL
//! values stay as written until the page's base is known.

use std::collections::HashMap;

use serde_json::{Map, Value};
use url::Url;

use crate::text::{clean, resolve};

/// Items nested deeper than this keep their type and id but no properties.
const MAX_DEPTH: usize = 8;

/// The value of one property.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PropValue {
    /// Text not yet read (the element is still open).
    Pending,
    /// No value: the property is left out.
    Empty,
    /// Text, already whitespace-collapsed.
    Text(String),
    /// A URL as written, resolved against the page's base at the end.
    Url(String),
    /// A nested item (index into the items).
    Item(usize),
}

#[derive(Clone, Debug, PartialEq)]
struct Prop {
    /// The `itemprop` attribute (space-separated names).
    names: String,
    value: PropValue,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Item {
    itemtype: Option<String>,
    itemid: Option<String>,
    itemref: Option<String>,
    props: Vec<usize>,
}

/// The microdata of a page, as gathered.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Items {
    props: Vec<Prop>,
    items: Vec<Item>,
    /// Items with `itemscope` and no `itemprop`, in document order.
    top: Vec<usize>,
    /// The properties found under each element with an `id` (first element wins), for
    /// `itemref`; only gathered when the page uses `itemref`.
    by_id: HashMap<String, Vec<usize>>,
}

impl Items {
    /// Starts an item; returns its index.
    pub(crate) fn new_item(
        &mut self,
        itemtype: Option<String>,
        itemid: Option<String>,
        itemref: Option<String>,
        top_level: bool,
    ) -> usize {
        let i = self.items.len();
        self.items.push(Item {
            itemtype,
            itemid,
            itemref,
            props: Vec::new(),
        });
        if top_level {
            self.top.push(i);
        }
        i
    }

    /// Records a property; returns its index.
    pub(crate) fn new_prop(&mut self, names: String, value: PropValue) -> usize {
        self.props.push(Prop { names, value });
        self.props.len() - 1
    }

    /// Gives property `prop` to item `item`.
    pub(crate) fn give(&mut self, item: usize, prop: usize) {
        if let Some(it) = self.items.get_mut(item) {
            it.props.push(prop);
        }
    }

    /// Sets the value of a property recorded as pending.
    pub(crate) fn fill(&mut self, prop: usize, value: PropValue) {
        if let Some(p) = self.props.get_mut(prop) {
            p.value = value;
        }
    }

    /// Records the properties found under the element with this `id` (the first element
    /// with properties wins).
    pub(crate) fn set_id_props(&mut self, id: String, props: Vec<usize>) {
        if !props.is_empty() {
            self.by_id.entry(id).or_insert(props);
        }
    }

    /// The top-level items as JSON-LD-shaped objects, URLs resolved against `base`.
    pub(crate) fn to_json(&self, base: Option<&Url>) -> Vec<Value> {
        self.top
            .iter()
            .map(|&i| self.item_json(i, base, 0))
            .collect()
    }

    fn item_json(&self, i: usize, base: Option<&Url>, depth: usize) -> Value {
        let mut map = Map::new();
        let Some(item) = self.items.get(i) else {
            return Value::Object(map);
        };
        if let Some(t) = &item.itemtype {
            let mut types: Vec<Value> = t
                .split_whitespace()
                .map(|s| Value::String(s.to_owned()))
                .collect();
            if types.len() == 1 {
                map.insert("@type".into(), types.remove(0));
            } else if !types.is_empty() {
                map.insert("@type".into(), Value::Array(types));
            }
        }
        if let Some(id) = &item.itemid {
            map.insert("@id".into(), Value::String(id.clone()));
        }
        if depth >= MAX_DEPTH {
            return Value::Object(map);
        }
        let mut props = item.props.clone();
        for id in item.itemref.iter().flat_map(|r| r.split_whitespace()) {
            for &p in self.by_id.get(id).into_iter().flatten() {
                if !props.contains(&p) {
                    props.push(p);
                }
            }
        }
        for p in props {
            let Some(prop) = self.props.get(p) else {
                continue;
            };
            let value = match &prop.value {
                PropValue::Item(j) => self.item_json(*j, base, depth + 1),
                PropValue::Text(t) => Value::String(t.clone()),
                PropValue::Url(raw) => match resolve(raw, base).or_else(|| clean(raw)) {
                    Some(u) => Value::String(u),
                    None => continue,
                },
                PropValue::Pending | PropValue::Empty => continue,
            };
            for name in prop.names.split_whitespace() {
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
        Value::Object(map)
    }
}

/// The value of a property element, by tag (HTML microdata rules), with `content`
/// taking precedence as most parsers allow. `None`: the value is the element's text.
pub(crate) fn value_by_attributes(
    name: &str,
    attr: &dyn Fn(&str) -> Option<String>,
) -> Option<PropValue> {
    if let Some(c) = attr("content") {
        return Some(clean(&c).map_or(PropValue::Empty, PropValue::Text));
    }
    let url_attr = match name {
        "audio" | "embed" | "iframe" | "img" | "source" | "track" | "video" => Some("src"),
        "a" | "area" | "link" => Some("href"),
        "object" => Some("data"),
        _ => None,
    };
    if let Some(a) = url_attr {
        return Some(
            attr(a)
                .or_else(|| attr("data-src"))
                .map_or(PropValue::Empty, PropValue::Url),
        );
    }
    let special = match name {
        "data" | "meter" => attr("value"),
        "time" => attr("datetime"),
        _ => None,
    };
    special.map(|v| clean(&v).map_or(PropValue::Empty, PropValue::Text))
}

#[cfg(test)]
mod tests {
    use super::super::markup;

    #[test]
    fn nested_items_and_properties_are_read() {
        let html = r#"<div itemscope itemtype="http://schema.org/Product">
                 <span itemprop="name">Kettle</span>
                 <img itemprop="image" src="/k.jpg">
                 <div itemprop="offers" itemscope itemtype="http://schema.org/Offer">
                   <meta itemprop="price" content="19.99"><span itemprop="priceCurrency">EUR</span>
                 </div></div>"#;
        let base = url::Url::parse("https://s.example/p/").unwrap();
        for m in [markup::scan(html).unwrap(), markup::from_tree(html)] {
            let items = m.microdata.to_json(Some(&base));
            assert_eq!(items.len(), 1);
            assert_eq!(items[0]["name"], "Kettle");
            assert_eq!(items[0]["image"], "https://s.example/k.jpg");
            assert_eq!(items[0]["offers"]["price"], "19.99");
            assert_eq!(items[0]["offers"]["priceCurrency"], "EUR");
        }
    }

    #[test]
    fn itemref_brings_in_properties_from_elsewhere_in_the_page() {
        let html = r#"<div id="maker"><span itemprop="brand">Acme</span></div>
            <div itemscope itemtype="https://schema.org/Product" itemref="maker offer nothing">
              <h1 itemprop="name">Kettle</h1></div>
            <p id="offer" itemprop="offers" itemscope itemtype="https://schema.org/Offer">
              <span itemprop="price">19.99</span></p>"#;
        for m in [markup::scan(html).unwrap(), markup::from_tree(html)] {
            let items = m.microdata.to_json(None);
            assert_eq!(items.len(), 1, "{items:?}");
            assert_eq!(items[0]["name"], "Kettle");
            assert_eq!(items[0]["brand"], "Acme");
            assert_eq!(items[0]["offers"]["price"], "19.99");
        }
    }
}
