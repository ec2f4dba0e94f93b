//! The official Pinterest OpenAPI description (../shared/pinterest/openapi.json beside the
//! workspace) turned into JSON Schema validators. A missing spec fails the test.

use serde_json::{Map, Value, json};

/// The spec; panics (fails the test, never skips) when the file is missing.
pub fn load() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/pinterest/openapi.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the official Pinterest spec must be at {} (../shared beside the workspace): {e}",
            path.display()
        )
    });
    let spec: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        spec["info"]["version"], "5.23.0",
        "the contract is Pinterest API v5.23.0"
    );
    spec
}

/// An OpenAPI 3.0 schema as a self-contained JSON Schema (draft 4): `$ref`s to
/// `#/components/schemas/…` inlined, `nullable` turned into a `null` alternative.
pub fn to_json_schema(spec: &Value, schema: &Value) -> Value {
    convert(spec, schema, &mut Vec::new())
}

fn convert(spec: &Value, schema: &Value, stack: &mut Vec<String>) -> Value {
    let Value::Object(obj) = schema else {
        return schema.clone();
    };
    if let Some(Value::String(r)) = obj.get("$ref") {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unsupported $ref {r}"));
        if stack.iter().any(|s| s == name) {
            return json!({});
        }
        stack.push(name.to_owned());
        let target = &spec["components"]["schemas"][name];
        assert!(!target.is_null(), "unknown schema {name}");
        let out = convert(spec, target, stack);
        stack.pop();
        return out;
    }
    let mut out = Map::new();
    for (k, v) in obj {
        let v = match k.as_str() {
            "properties" | "patternProperties" => Value::Object(
                v.as_object()
                    .unwrap()
                    .iter()
                    .map(|(p, s)| (p.clone(), convert(spec, s, stack)))
                    .collect(),
            ),
            "items" | "not" => convert(spec, v, stack),
            "additionalProperties" if v.is_object() => convert(spec, v, stack),
            "allOf" | "oneOf" | "anyOf" => Value::Array(
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| convert(spec, s, stack))
                    .collect(),
            ),
            // OpenAPI-only keywords that JSON Schema does not know or reads differently.
            "nullable" | "discriminator" | "example" | "readOnly" | "writeOnly" | "xml"
            | "externalDocs" | "deprecated" => continue,
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    let converted = Value::Object(out);
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        json!({"anyOf": [{"type": "null"}, converted]})
    } else {
        converted
    }
}

/// A validator for a JSON Schema.
pub fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}\n{schema}"))
}

/// Validates `instance` against `schema`; the error lists every violation with its path.
pub fn check(schema: &Value, instance: &Value) -> Result<(), String> {
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The spec's path template matching a concrete path below `/v5` (`/boards/1/pins` →
/// `/boards/{board_id}/pins`).
pub fn template_for(spec: &Value, path: &str) -> String {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best: Option<(usize, String)> = None;
    for template in spec["paths"].as_object().unwrap().keys() {
        let t: Vec<&str> = template.trim_matches('/').split('/').collect();
        if t.len() != segs.len() {
            continue;
        }
        let mut literal = 0;
        let matches = t.iter().zip(&segs).all(|(a, b)| {
            if a.starts_with('{') {
                true
            } else {
                literal += 1;
                a == b
            }
        });
        if matches && best.as_ref().is_none_or(|(n, _)| literal > *n) {
            best = Some((literal, template.clone()));
        }
    }
    best.unwrap_or_else(|| panic!("no operation in the spec for path {path}"))
        .1
}

/// The operation object, which must exist.
pub fn operation<'a>(spec: &'a Value, template: &str, method: &str) -> &'a Value {
    let op = &spec["paths"][template][method.to_lowercase()];
    assert!(op.is_object(), "the spec has no {method} {template}");
    op
}

/// The JSON Schema of an operation's answer with this status (or `default`); `None` for
/// a status documented without a body (204).
pub fn response_schema(spec: &Value, template: &str, method: &str, status: u16) -> Option<Value> {
    let responses = &operation(spec, template, method)["responses"];
    let r = match &responses[status.to_string()] {
        Value::Null => &responses["default"],
        r => r,
    };
    assert!(
        r.is_object(),
        "{method} {template} does not document HTTP {status}"
    );
    let schema = &r["content"]["application/json"]["schema"];
    (!schema.is_null()).then(|| to_json_schema(spec, schema))
}

/// The JSON Schema of an operation's request body.
pub fn request_schema(spec: &Value, template: &str, method: &str, content_type: &str) -> Value {
    let schema =
        &operation(spec, template, method)["requestBody"]["content"][content_type]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {template} has no {content_type} body"
    );
    to_json_schema(spec, schema)
}

/// A component schema by name.
pub fn component(spec: &Value, name: &str) -> Value {
    to_json_schema(
        spec,
        &json!({"$ref": format!("#/components/schemas/{name}")}),
    )
}

/// The operation's parameters (refs resolved), by name.
pub fn parameters(spec: &Value, template: &str, method: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let params = operation(spec, template, method)["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for p in params {
        let p = match p.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/components/parameters/").unwrap();
                spec["components"]["parameters"][name].clone()
            }
            None => p,
        };
        out.insert(p["name"].as_str().unwrap().to_owned(), p);
    }
    out
}

/// Checks query parameters against the operation: every name is documented, every value
/// fits its schema (comma lists for `explode: false` arrays), every required one is there.
pub fn check_query(
    spec: &Value,
    template: &str,
    method: &str,
    query: &[(&str, String)],
) -> Result<(), String> {
    let params = parameters(spec, template, method);
    for (name, p) in &params {
        if p["in"] == "query"
            && p["required"] == Value::Bool(true)
            && !query.iter().any(|(k, _)| k == name)
        {
            return Err(format!("required query parameter {name} is missing"));
        }
    }
    for (k, v) in query {
        let p = params
            .get(*k)
            .ok_or_else(|| format!("{method} {template} has no parameter {k}"))?;
        if p["in"] != "query" {
            return Err(format!("{k} is not a query parameter"));
        }
        // The spec lists pin metric types as `oneOf` two enums that share most values
        // (standard and video metrics), which no value can satisfy exactly once; read it
        // as the "any of these names" it means.
        let schema: Value = serde_json::from_str(
            &to_json_schema(spec, &p["schema"])
                .to_string()
                .replace("\"oneOf\"", "\"anyOf\""),
        )
        .unwrap();
        let value = match schema["type"].as_str() {
            Some("integer") | Some("number") => {
                serde_json::from_str::<Value>(v).map_err(|_| format!("{k}={v} is not a number"))?
            }
            Some("array") => Value::Array(v.split(',').map(|s| json!(s)).collect()),
            _ => json!(v),
        };
        check(&schema, &value).map_err(|e| format!("{k}={v}: {e}"))?;
    }
    Ok(())
}
