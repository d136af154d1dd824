//! The GGUF reader on hostile input: random bytes, every truncation of a valid
//! header, random mutations, huge counts and lengths. It must never panic, must call
//! every prefix of a valid file incomplete (never malformed), and must say what is
//! wrong in one line.

use proptest::prelude::*;
use provision::gguf::write::Writer;
use provision::gguf::{
    CacheType, Error, Facts, GgmlType, KvOptions, Limits, Value, fixtures, read_header,
    read_header_with,
};

/// A scalar or small array value of any type.
fn value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        any::<u8>().prop_map(Value::U8),
        any::<i8>().prop_map(Value::I8),
        any::<u16>().prop_map(Value::U16),
        any::<i16>().prop_map(Value::I16),
        any::<u32>().prop_map(Value::U32),
        any::<i32>().prop_map(Value::I32),
        any::<f32>().prop_map(Value::F32),
        any::<bool>().prop_map(Value::Bool),
        ".{0,12}".prop_map(Value::String),
        any::<u64>().prop_map(Value::U64),
        any::<i64>().prop_map(Value::I64),
        any::<f64>().prop_map(Value::F64),
    ];
    scalar.prop_recursive(2, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(any::<u32>(), 0..6).prop_map(Value::from),
            prop::collection::vec(".{0,6}".prop_map(Value::String), 0..6).prop_map(Value::from),
            prop::collection::vec(inner, 1..4).prop_map(|v| {
                // One element type per array: keep the elements of the first one's type.
                let ty = v[0].value_type();
                Value::from(
                    v.into_iter()
                        .filter(|x| x.value_type() == ty)
                        .collect::<Vec<_>>(),
                )
            }),
        ]
    })
}

/// A small valid GGUF file (header and data) with random metadata and tensors.
fn file() -> impl Strategy<Value = Vec<u8>> {
    let kvs = prop::collection::btree_map("[a-z]{1,8}(\\.[a-z_]{1,8}){0,2}", value(), 0..10);
    let types = prop::sample::select(vec![
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::Q8_0,
        GgmlType::Q4_K,
        GgmlType::MXFP4,
    ]);
    let tensors = prop::collection::vec((1u64..3, 1u64..4, types), 0..6);
    (kvs, tensors, any::<bool>()).prop_map(|(kvs, tensors, v2)| {
        let mut w = Writer::new();
        w.version(if v2 { 2 } else { 3 });
        for (key, value) in kvs {
            w.kv(&key, value);
        }
        for (i, (rows, blocks, ty)) in tensors.into_iter().enumerate() {
            w.tensor(&format!("blk.{i}.w"), &[blocks * ty.block_size(), rows], ty);
        }
        let mut out = Vec::new();
        w.write_file(&mut out).expect("writing to memory");
        out
    })
}

fn one_line(error: &Error) -> bool {
    !error.to_string().contains('\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), gguf in any::<bool>()) {
        let mut bytes = bytes;
        if gguf && bytes.len() >= 8 {
            bytes[..8].copy_from_slice(b"GGUF\x03\0\0\0");
        }
        if let Err(e) = read_header(&bytes) {
            prop_assert!(one_line(&e), "{e}");
        }
        let whole = Limits { file_len: Some(bytes.len() as u64), ..Limits::default() };
        if let Err(e) = read_header_with(&bytes, whole) {
            prop_assert!(!matches!(e, Error::Incomplete { .. }), "a whole file cannot be incomplete: {e}");
        }
    }

    #[test]
    fn valid_files_read_back(file in file()) {
        let whole = Limits { file_len: Some(file.len() as u64), ..Limits::default() };
        let header = read_header_with(&file, whole).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(header.data_offset <= file.len() as u64);
        if let Ok(facts) = Facts::from_header(&header) {
            prop_assert_eq!(facts.bytes.total, header.tensors.iter().map(|t| t.bytes).sum::<u64>());
        }
    }

    #[test]
    fn mutations_give_clean_errors(file in file(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = file;
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let whole = Limits { file_len: Some(bytes.len() as u64), ..Limits::default() };
        match read_header_with(&bytes, whole) {
            Ok(header) => { let _ = Facts::from_header(&header); }
            Err(e) => prop_assert!(one_line(&e) && !matches!(e, Error::Incomplete { .. }), "{e}"),
        }
    }

    #[test]
    fn huge_lengths_are_malformed_in_a_whole_file(file in file(), at in any::<prop::sample::Index>(), huge in (1u64 << 40)..u64::MAX) {
        // Overwrite 8 bytes anywhere past the preamble with a huge little-endian count.
        let mut bytes = file;
        prop_assume!(bytes.len() > 32);
        let i = 16 + at.index(bytes.len() - 24);
        bytes[i..i + 8].copy_from_slice(&huge.to_le_bytes());
        let whole = Limits { file_len: Some(bytes.len() as u64), ..Limits::default() };
        if let Err(e) = read_header_with(&bytes, whole) {
            prop_assert!(!matches!(e, Error::Incomplete { .. }), "{e}");
        }
        // Without a file length, the header limit still bounds what is asked for.
        if let Err(Error::Incomplete { needed, .. }) = read_header(&bytes) {
            prop_assert!(needed <= Limits::default().max_header);
        }
    }
}

/// Known architecture keys with any values: facts and the KV arithmetic on them.
fn model_header() -> impl Strategy<Value = Vec<u8>> {
    let arch = prop::sample::select(vec![
        "llama",
        "gemma3",
        "gpt-oss",
        "llama4",
        "granitehybrid",
        "qwen3next",
        "nemotron_h",
        "rwkv7",
        "lfm2",
        "falcon-h1",
        "gemma4",
        "smallthinker",
    ]);
    let count = prop_oneof![Just(0u64), 1u64..64, Just(u64::MAX), any::<u64>()];
    let per_layer = prop_oneof![
        count.clone().prop_map(Value::U64),
        prop::collection::vec(0u32..64, 0..70).prop_map(Value::from)
    ];
    let keys = prop::collection::vec(
        (
            prop::sample::select(vec![
                "attention.head_count",
                "attention.head_count_kv",
                "attention.key_length",
                "attention.value_length",
                "attention.sliding_window",
                "attention.sliding_window_pattern",
                "attention.shared_kv_layers",
                "expert_count",
                "expert_used_count",
                "ssm.conv_kernel",
                "ssm.inner_size",
                "ssm.state_size",
                "ssm.group_count",
                "wkv.head_size",
                "shortconv.l_cache",
                "full_attention_interval",
                "feed_forward_length",
                "embedding_length",
                "token_shift_count",
            ]),
            per_layer,
        ),
        0..12,
    );
    (arch, 0u64..70, keys).prop_map(|(arch, layers, keys)| {
        let mut w = Writer::new();
        w.kv("general.architecture", arch)
            .kv(&format!("{arch}.block_count"), layers);
        let mut seen = std::collections::HashSet::new();
        for (key, value) in keys {
            if seen.insert(key) {
                w.kv(&format!("{arch}.{key}"), value);
            }
        }
        w.tensor("blk.0.ffn_up_exps.weight", &[32, 2, 4], GgmlType::Q8_0)
            .tensor("token_embd.weight", &[32, 8], GgmlType::F16);
        w.header()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn hostile_metadata_never_panics_the_arithmetic(header in model_header(), context in any::<u64>(), parallel in any::<u64>()) {
        let header = read_header(&header).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match Facts::from_header(&header) {
            Ok(facts) => {
                for cache in [CacheType::F16, CacheType::Q8_0, CacheType::Q4_0] {
                    let _ = facts.kv_bytes_per_token(cache);
                    let kv = facts.kv_cache(&KvOptions { parallel, ..KvOptions::new(context, cache) });
                    prop_assert_eq!(kv.per_layer.len(), facts.layers.len());
                }
                let _ = facts.weights_read_per_token();
            }
            Err(e) => prop_assert!(!e.to_string().contains('\n'), "{e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_truncation_is_incomplete(file in file()) {
        let full = read_header(&file).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for len in 0..full.header_len as usize {
            match read_header(&file[..len]) {
                Err(Error::Incomplete { needed, have }) => {
                    prop_assert_eq!(have, len as u64);
                    prop_assert!(needed > have && needed <= full.header_len, "{needed} for {len} of {}", full.header_len);
                }
                other => prop_assert!(false, "prefix of {len} bytes gave {other:?}"),
            }
        }
    }
}

#[test]
fn truncations_of_a_real_header_are_incomplete_and_growing_them_converges() {
    let bytes = fixtures::granite4_micro_h().header();
    let full = read_header(&bytes).expect("fixture reads");
    for len in (0..full.header_len as usize).step_by(bytes.len() / 37) {
        let needed = read_header(&bytes[..len])
            .unwrap_err()
            .needed()
            .expect("incomplete");
        assert!(
            needed > len as u64 && needed <= full.header_len,
            "{needed} for {len}"
        );
    }
    // A range reader that fetches what is asked for (doubling) gets there in few steps.
    let (mut have, mut rounds) = (4096usize, 0);
    while let Err(Error::Incomplete { needed, .. }) = read_header(&bytes[..have]) {
        have = (needed as usize).max(have * 2).min(bytes.len());
        rounds += 1;
    }
    assert!(rounds <= 12, "{rounds} rounds");
}

#[test]
fn hostile_facts_are_errors_not_allocations() {
    let mut w = Writer::new();
    w.kv("general.architecture", "llama")
        .kv("llama.block_count", u64::MAX);
    let header = read_header(&w.header()).expect("header reads");
    let error = Facts::from_header(&header).unwrap_err().to_string();
    assert!(error.contains("block_count"), "{error}");
    let mut w = Writer::new();
    w.kv("general.architecture", "llama")
        .kv("llama.block_count", 2u32)
        .kv("llama.attention.head_count", "many");
    let header = read_header(&w.header()).expect("header reads");
    assert!(
        Facts::from_header(&header)
            .unwrap_err()
            .to_string()
            .contains("head_count")
    );
    let header = read_header(&Writer::new().header()).expect("empty header reads");
    assert!(
        Facts::from_header(&header)
            .unwrap_err()
            .to_string()
            .contains("general.architecture")
    );
}
