//! A tiny JSON reader for the BOLT 4 test-vector files (no serde). It handles the subset those
//! files use: objects, arrays, strings without escapes other than `\"` and `\\`, numbers,
//! booleans and null.

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Json {
        let bytes = text.as_bytes();
        let mut pos = 0;
        let value = parse_value(bytes, &mut pos);
        skip_ws(bytes, &mut pos);
        assert_eq!(pos, bytes.len(), "trailing data in JSON");
        value
    }

    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(fields) => {
                &fields
                    .iter()
                    .find(|(k, _)| k == key)
                    .unwrap_or_else(|| panic!("no key {key}"))
                    .1
            }
            other => panic!("not an object: {other:?}"),
        }
    }

    pub fn has(&self, key: &str) -> bool {
        matches!(self, Json::Object(fields) if fields.iter().any(|(k, _)| k == key))
    }

    pub fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    pub fn hex(&self) -> Vec<u8> {
        hex::decode(self.str()).expect("hex string")
    }

    pub fn array(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            other => panic!("not an array: {other:?}"),
        }
    }
}

fn skip_ws(bytes: &[u8], pos: &mut usize) {
    while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
        *pos += 1;
    }
}

fn expect(bytes: &[u8], pos: &mut usize, literal: &str) {
    assert!(
        bytes[*pos..].starts_with(literal.as_bytes()),
        "expected {literal}"
    );
    *pos += literal.len();
}

fn parse_value(bytes: &[u8], pos: &mut usize) -> Json {
    skip_ws(bytes, pos);
    match bytes[*pos] {
        b'{' => {
            *pos += 1;
            let mut fields = Vec::new();
            loop {
                skip_ws(bytes, pos);
                if bytes[*pos] == b'}' {
                    *pos += 1;
                    return Json::Object(fields);
                }
                let key = parse_string(bytes, pos);
                skip_ws(bytes, pos);
                expect(bytes, pos, ":");
                let value = parse_value(bytes, pos);
                fields.push((key, value));
                skip_ws(bytes, pos);
                if bytes[*pos] == b',' {
                    *pos += 1;
                }
            }
        }
        b'[' => {
            *pos += 1;
            let mut items = Vec::new();
            loop {
                skip_ws(bytes, pos);
                if bytes[*pos] == b']' {
                    *pos += 1;
                    return Json::Array(items);
                }
                items.push(parse_value(bytes, pos));
                skip_ws(bytes, pos);
                if bytes[*pos] == b',' {
                    *pos += 1;
                }
            }
        }
        b'"' => Json::Str(parse_string(bytes, pos)),
        b't' => {
            expect(bytes, pos, "true");
            Json::Bool(true)
        }
        b'f' => {
            expect(bytes, pos, "false");
            Json::Bool(false)
        }
        b'n' => {
            expect(bytes, pos, "null");
            Json::Null
        }
        _ => {
            let start = *pos;
            while *pos < bytes.len() && b"+-.eE0123456789".contains(&bytes[*pos]) {
                *pos += 1;
            }
            let text = std::str::from_utf8(&bytes[start..*pos]).unwrap();
            Json::Number(text.parse().unwrap_or_else(|_| panic!("bad number {text}")))
        }
    }
}

fn parse_string(bytes: &[u8], pos: &mut usize) -> String {
    expect(bytes, pos, "\"");
    let mut out = Vec::new();
    while bytes[*pos] != b'"' {
        if bytes[*pos] == b'\\' {
            *pos += 1;
        }
        out.push(bytes[*pos]);
        *pos += 1;
    }
    *pos += 1;
    String::from_utf8(out).unwrap()
}
