//! JSON-LD blocks: tolerant parsing (comments, control characters, trailing commas,
//! CDATA and HTML comment wrappers) and flattening of arrays, `@graph` and `mainEntity`.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Parses one `<script type="application/ld+json">` body; `None` when it cannot be read
/// even after repair.
pub(crate) fn parse_block(raw: &str) -> Option<Value> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(raw) {
        return Some(v);
    }
    let repaired = repair(raw);
    if let Ok(v) = serde_json::from_str::<Value>(&repaired) {
        return Some(v);
    }
    // Several objects one after the other: read them as a stream.
    let mut out = Vec::new();
    for v in serde_json::Deserializer::from_str(&repaired).into_iter::<Value>() {
        match v {
            Ok(v) => out.push(v),
            Err(_) => break,
        }
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

/// Removes what browsers and lenient parsers tolerate but JSON does not.
fn repair(raw: &str) -> String {
    let mut s = raw.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("<![CDATA[", "]]>"),
        ("//<![CDATA[", "//]]>"),
    ] {
        if let Some(rest) = s.strip_prefix(open) {
            s = rest.strip_suffix(close).unwrap_or(rest).trim();
        }
    }
    let s = s.trim_end_matches(';');
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            match c {
                '\\' => {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        // Invalid escapes like `\'` lose their backslash.
                        if matches!(n, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u') {
                            out.push(n);
                        } else {
                            out.pop();
                            out.push(n);
                        }
                    }
                }
                '"' => {
                    in_str = false;
                    out.push(c);
                }
                '\n' | '\r' | '\t' => out.push(' '),
                c if c.is_control() => {}
                c => out.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                out.push('\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            c if c.is_control() && !c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    remove_trailing_commas(&out)
}

fn remove_trailing_commas(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut escaped = false;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']') | None) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Every object node of the blocks: top-level objects, members of arrays and `@graph`,
/// and `mainEntity` / `mainEntityOfPage` objects, in document order.
pub(crate) fn flatten(blocks: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for b in blocks {
        push_nodes(b, &mut out, 0);
    }
    out
}

fn push_nodes(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => {
            for i in items {
                push_nodes(i, out, depth + 1);
            }
        }
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                push_nodes(graph, out, depth + 1);
            }
            let main = map.get("mainEntity").cloned();
            if !map.is_empty() && (map.contains_key("@type") || map.contains_key("@id")) {
                out.push(Value::Object(map));
            }
            if let Some(m @ Value::Object(_)) | Some(m @ Value::Array(_)) = main {
                push_nodes(m, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Nodes by `@id`, to resolve references such as `"author": {"@id": "#me"}`.
pub(crate) fn index(nodes: &[Value]) -> HashMap<String, Value> {
    let mut map = HashMap::new();
    for n in nodes {
        collect_ids(n, &mut map, 0);
    }
    map
}

fn collect_ids(v: &Value, map: &mut HashMap<String, Value>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Object(o) => {
            if let Some(Value::String(id)) = o.get("@id")
                && o.len() > 1
            {
                map.entry(id.clone()).or_insert_with(|| v.clone());
            }
            for child in o.values() {
                collect_ids(child, map, depth + 1);
            }
        }
        Value::Array(a) => {
            for child in a {
                collect_ids(child, map, depth + 1);
            }
        }
        _ => {}
    }
}

/// The schema.org type names of a node, without the `https://schema.org/` prefix.
pub(crate) fn types(node: &Map<String, Value>) -> Vec<String> {
    let short = |s: &str| {
        s.rsplit(['/', '#', ':'])
            .next()
            .unwrap_or(s)
            .trim()
            .to_owned()
    };
    match node.get("@type").or_else(|| node.get("type")) {
        Some(Value::String(s)) => vec![short(s)],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(short).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_json_ld_is_repaired() {
        let raw = "// a comment\n{\"@type\": \"Product\", /* x */ \"name\": \"Mug\nBlue\",}";
        let v = parse_block(raw).unwrap();
        assert_eq!(v["name"], "Mug Blue");
        let v = parse_block("<!-- {\"@type\":\"Thing\"} -->").unwrap();
        assert_eq!(v["@type"], "Thing");
    }

    #[test]
    fn graphs_and_arrays_are_flattened() {
        let v = serde_json::json!([{"@graph": [{"@type": "WebPage", "mainEntity": {"@type": "Product", "name": "A"}}, {"@type": "Organization"}]}]);
        let nodes = flatten(vec![v]);
        let t: Vec<_> = nodes
            .iter()
            .map(|n| types(n.as_object().unwrap())[0].clone())
            .collect();
        assert_eq!(t, ["WebPage", "Product", "Organization"]);
    }
}
