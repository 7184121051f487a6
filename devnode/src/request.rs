//! What a JSON-RPC request body holds, read without building more than a request
//! needs: its `jsonrpc`, `id`, `method` and first [`MAX_PARAMS`] params as scalars.
//! Whatever else a body carries (unknown fields, nested arrays and objects, params past
//! the first few) is skipped as it is parsed, so a body of the largest size costs its
//! own bytes and little more, whatever its shape. Before, a 16 MB array of zeros was
//! parsed into a `serde_json::Value` and its params cloned: about 1 GB.
use serde::{
    de::{self, IgnoredAny, SeqAccess, Visitor},
    Deserialize, Deserializer,
};
use serde_json::{Number, Value};
use std::fmt;

/// More params than any method takes; the rest are counted, not kept.
pub const MAX_PARAMS: usize = 8;

/// One request object's fields, those it has.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub jsonrpc: Option<Scalar>,
    pub id: Option<Scalar>,
    pub method: Option<Scalar>,
    pub params: Option<Params>,
}

/// A JSON value as far as a request field needs it: a string, a number, a boolean or
/// null as they are; an array or an object only as what it is, its contents skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar(pub Value);

/// The first [`MAX_PARAMS`] params and how many there were; `None` when `params` is
/// not an array.
#[derive(Debug, Default)]
pub struct Params(pub Option<(Vec<Value>, usize)>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor).map(Scalar)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(Vec::new()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Object(serde_json::Map::new()))
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParamsVisitor)
    }
}

struct ParamsVisitor;

impl<'de> Visitor<'de> for ParamsVisitor {
    type Value = Params;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("params")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Params, A::Error> {
        let mut kept = Vec::new();
        let mut count = 0usize;
        while count < MAX_PARAMS {
            match seq.next_element::<Scalar>()? {
                Some(Scalar(value)) => kept.push(value),
                None => return Ok(Params(Some((kept, count)))),
            }
            count += 1;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            count = count.saturating_add(1);
        }
        Ok(Params(Some((kept, count))))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Params(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Params, E> {
        Ok(Params(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Params, E> {
        Ok(Params(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Params, E> {
        Ok(Params(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Params, E> {
        Ok(Params(None))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Params, E> {
        Ok(Params(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Params, E> {
        Ok(Params(None))
    }
}

/// What a body is: one request object, some other JSON, or not JSON.
#[derive(Debug)]
pub enum Body {
    Request(Request),
    NotAnObject,
    NotJson,
}

/// Reads `body` as [`Body`], never holding more than the request's fields.
pub fn read(body: &[u8]) -> Body {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first == Some(&b'{') {
        return serde_json::from_slice(body).map_or(Body::NotJson, Body::Request);
    }
    match serde_json::from_slice::<IgnoredAny>(body) {
        Ok(_) => Body::NotAnObject,
        Err(_) => Body::NotJson,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(body: &str) -> Request {
        match read(body.as_bytes()) {
            Body::Request(request) => request,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_keeps_its_fields_and_at_most_eight_params() {
        let read = request(
            r#"{"jsonrpc":"2.0","id":7,"method":"m","params":["0x00",1,null,true,[1,[2]],{"a":1},3,4,5,6],"extra":{"deep":[1,2]}}"#,
        );
        assert_eq!(read.jsonrpc, Some(Scalar(json!("2.0"))));
        assert_eq!(read.id, Some(Scalar(json!(7))));
        assert_eq!(read.method, Some(Scalar(json!("m"))));
        let (params, count) = read.params.unwrap().0.unwrap();
        assert_eq!(count, 10);
        assert_eq!(
            params,
            [
                json!("0x00"),
                json!(1),
                json!(null),
                json!(true),
                json!([]),
                json!({}),
                json!(3),
                json!(4)
            ]
        );
        assert!(request(r#"{"params":{"a":1}}"#).params.unwrap().0.is_none());
        assert!(request(r#"{"params":"x"}"#).params.unwrap().0.is_none());
    }

    #[test]
    fn other_json_and_broken_json_are_told_apart() {
        assert!(matches!(read(b" [1,2]"), Body::NotAnObject));
        assert!(matches!(read(b"42"), Body::NotAnObject));
        assert!(matches!(read(b"{\"id\":"), Body::NotJson));
        assert!(matches!(read(b"0000"), Body::NotJson));
    }
}
