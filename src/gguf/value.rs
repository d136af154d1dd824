//! GGUF metadata values: the thirteen value types of the spec and typed accessors.
//!
//! Value type ids and sizes follow `docs/gguf.md` (`gguf_metadata_value_type`) in
//! ggml-org/ggml at d99724f2.

use serde::Serialize;

/// The type of a metadata value (`gguf_metadata_value_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    Bool,
    String,
    Array,
    U64,
    I64,
    F64,
}

impl ValueType {
    /// The type with this on-disk id, or `None` for an id the spec does not define.
    pub fn from_id(id: u32) -> Option<ValueType> {
        Some(match id {
            0 => ValueType::U8,
            1 => ValueType::I8,
            2 => ValueType::U16,
            3 => ValueType::I16,
            4 => ValueType::U32,
            5 => ValueType::I32,
            6 => ValueType::F32,
            7 => ValueType::Bool,
            8 => ValueType::String,
            9 => ValueType::Array,
            10 => ValueType::U64,
            11 => ValueType::I64,
            12 => ValueType::F64,
            _ => return None,
        })
    }

    /// The on-disk id of this type.
    pub fn id(self) -> u32 {
        match self {
            ValueType::U8 => 0,
            ValueType::I8 => 1,
            ValueType::U16 => 2,
            ValueType::I16 => 3,
            ValueType::U32 => 4,
            ValueType::I32 => 5,
            ValueType::F32 => 6,
            ValueType::Bool => 7,
            ValueType::String => 8,
            ValueType::Array => 9,
            ValueType::U64 => 10,
            ValueType::I64 => 11,
            ValueType::F64 => 12,
        }
    }

    /// Bytes one value of a fixed-size type occupies; `None` for strings and arrays.
    pub fn fixed_size(self) -> Option<u64> {
        match self {
            ValueType::U8 | ValueType::I8 | ValueType::Bool => Some(1),
            ValueType::U16 | ValueType::I16 => Some(2),
            ValueType::U32 | ValueType::I32 | ValueType::F32 => Some(4),
            ValueType::U64 | ValueType::I64 | ValueType::F64 => Some(8),
            ValueType::String | ValueType::Array => None,
        }
    }

    /// The fewest bytes one value of this type can occupy: a string is at least its
    /// 8-byte length, an array its 4-byte element type and 8-byte length. Used to
    /// reject counts the remaining input cannot hold before looping over them.
    pub fn min_size(self) -> u64 {
        match self {
            ValueType::String => 8,
            ValueType::Array => 12,
            fixed => fixed.fixed_size().unwrap_or(1),
        }
    }
}

/// A metadata value as read from a header.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(String),
    Array(Array),
    U64(u64),
    I64(i64),
    F64(f64),
}

/// An array value. Long arrays (tokenizer tokens, merges, scores) are skipped while
/// reading: their element type and length are kept, their elements are not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Array {
    /// The type of every element.
    pub element: ValueType,
    /// The number of elements in the file.
    pub len: u64,
    /// The elements, or `None` when the reader skipped them (`len` above its limit).
    pub values: Option<Vec<Value>>,
}

impl Value {
    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::U8(_) => ValueType::U8,
            Value::I8(_) => ValueType::I8,
            Value::U16(_) => ValueType::U16,
            Value::I16(_) => ValueType::I16,
            Value::U32(_) => ValueType::U32,
            Value::I32(_) => ValueType::I32,
            Value::F32(_) => ValueType::F32,
            Value::Bool(_) => ValueType::Bool,
            Value::String(_) => ValueType::String,
            Value::Array(_) => ValueType::Array,
            Value::U64(_) => ValueType::U64,
            Value::I64(_) => ValueType::I64,
            Value::F64(_) => ValueType::F64,
        }
    }

    /// A non-negative integer of any width (counts are u32 or u64 depending on the writer).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(u64::from(v)),
            Value::U16(v) => Some(u64::from(v)),
            Value::U32(v) => Some(u64::from(v)),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            Value::Bool(v) => Some(u64::from(v)),
            _ => None,
        }
    }

    /// A number of any type as a float.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(v) => Some(f64::from(v)),
            Value::F64(v) => Some(v),
            Value::I8(v) => Some(f64::from(v)),
            Value::I16(v) => Some(f64::from(v)),
            Value::I32(v) => Some(f64::from(v)),
            // Integers above 2^53 lose precision; metadata never holds such floats.
            Value::I64(v) => Some(v as f64),
            _ => self.as_u64().map(|v| v as f64),
        }
    }

    /// A boolean (or an integer 0/1, which some writers use for flags).
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(v) => Some(v),
            _ => self.as_u64().and_then(|v| match v {
                0 => Some(false),
                1 => Some(true),
                _ => None,
            }),
        }
    }

    /// A string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An array value.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

impl Array {
    /// The kept elements as non-negative integers; `None` if skipped or any is not one.
    pub fn as_u64s(&self) -> Option<Vec<u64>> {
        self.values.as_ref()?.iter().map(Value::as_u64).collect()
    }

    /// The kept elements as booleans; `None` if skipped or any is not one.
    pub fn as_bools(&self) -> Option<Vec<bool>> {
        self.values.as_ref()?.iter().map(Value::as_bool).collect()
    }
}

impl From<u8> for Value {
    fn from(v: u8) -> Self {
        Value::U8(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::U32(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::I32(v)
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::U64(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::F32(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    /// An array of values of one type; an empty vector is an array of u32.
    fn from(items: Vec<T>) -> Self {
        let values: Vec<Value> = items.into_iter().map(Into::into).collect();
        let element = values.first().map_or(ValueType::U32, Value::value_type);
        Value::Array(Array {
            element,
            len: values.len() as u64,
            values: Some(values),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ids_round_trip_and_unknown_ids_are_none() {
        for id in 0..13 {
            assert_eq!(ValueType::from_id(id).map(ValueType::id), Some(id));
        }
        assert_eq!(ValueType::from_id(13), None);
        assert_eq!(ValueType::from_id(u32::MAX), None);
    }

    #[test]
    fn integers_of_any_width_read_as_counts() {
        assert_eq!(Value::U32(8).as_u64(), Some(8));
        assert_eq!(Value::I32(8).as_u64(), Some(8));
        assert_eq!(Value::I32(-1).as_u64(), None);
        assert_eq!(Value::String("8".into()).as_u64(), None);
        assert_eq!(Value::F32(0.5).as_f64(), Some(0.5));
    }

    #[test]
    fn arrays_convert_elementwise() {
        let v = Value::from(vec![0u32, 8, 0]);
        let array = v.as_array().unwrap();
        assert_eq!(array.as_u64s(), Some(vec![0, 8, 0]));
        assert_eq!(
            Value::from(vec![true, false])
                .as_array()
                .unwrap()
                .as_bools(),
            Some(vec![true, false])
        );
        let skipped = Array {
            element: ValueType::String,
            len: 5,
            values: None,
        };
        assert_eq!(skipped.as_u64s(), None);
    }
}
