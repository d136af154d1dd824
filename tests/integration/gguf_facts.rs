//! Facts of real model shapes (headers the fixtures write) against public numbers:
//! parameter counts from model cards, KV sizes from llama.cpp/Ollama logs.

use provision::gguf::{
    self, CacheType, Facts, GgmlType, Header, Kind, KvOptions, LayerKind, fixtures,
};

const MIB: u64 = 1 << 20;

fn read(writer: &gguf::write::Writer) -> (Header, Facts) {
    let header = gguf::read_header(&writer.header()).expect("fixture header reads");
    let facts = Facts::from_header(&header).expect("fixture facts derive");
    (header, facts)
}

/// `n` in billions to one decimal, as model cards print sizes.
fn billions(n: u64) -> f64 {
    (n as f64 / 1e8).round() / 10.0
}

fn kv_mib(facts: &Facts, context: u64, cache: CacheType) -> u64 {
    facts.kv_cache(&KvOptions::new(context, cache)).total / MIB
}

#[test]
fn llama31_8b_matches_its_config_and_ollama_blob() {
    let writer = fixtures::llama31_8b();
    let (header, f) = read(&writer);
    assert_eq!(
        (f.architecture.as_str(), f.file_type_name.as_deref()),
        ("llama", Some("Q4_K_M"))
    );
    assert_eq!(f.quant(), Some(provision::quant::Quant::Q4KM));
    assert_eq!(
        (f.block_count, f.context_length, f.vocab_size),
        (32, Some(131072), Some(128256))
    );
    // 8,030,261,248 in the safetensors, plus the 64 rope factors llama.cpp adds.
    assert_eq!(f.parameters, 8_030_261_248 + 64);
    // The Ollama blob is 4,920,734,016 bytes: tensor data plus a 1-12 MB header.
    let header_len = 4_920_734_016 - f.bytes.total;
    assert!(
        (1 << 20..12 << 20).contains(&header_len),
        "header would be {header_len} bytes"
    );
    assert!(
        header.data_offset.abs_diff(header_len) < 1 << 20,
        "fixture header {} bytes",
        header.data_offset
    );
    // 32 layers x 8 KV heads x 128 x (K + V) x 2 bytes = 128 KiB a token; llama.cpp
    // logs 1024 MiB (f16) and 544 MiB (q8_0) at 8192.
    assert_eq!(f.kv_bytes_per_token(CacheType::F16), 128 << 10);
    assert_eq!(kv_mib(&f, 8192, CacheType::F16), 1024);
    assert_eq!(kv_mib(&f, 8192, CacheType::Q8_0), 544);
    assert_eq!(kv_mib(&f, 8192, CacheType::Q4_0), 288);
}

#[test]
fn gemma3_12b_slides_five_layers_of_six_as_ollama_measured() {
    let (header, f) = read(&fixtures::gemma3_12b());
    assert_eq!(f.sliding_window, Some(1024));
    let full: Vec<usize> = (0..48)
        .filter(|&i| f.layers[i].kind == LayerKind::Full)
        .collect();
    assert_eq!(full, [5, 11, 17, 23, 29, 35, 41, 47]);
    // Ollama's logs: 608 MiB at 2048, 992 MiB at 8192; every layer full: 3072 MiB.
    assert_eq!(kv_mib(&f, 2048, CacheType::F16), 608);
    assert_eq!(kv_mib(&f, 8192, CacheType::F16), 992);
    let swa_full = KvOptions {
        swa_full: true,
        ..KvOptions::new(8192, CacheType::F16)
    };
    assert_eq!(f.kv_cache(&swa_full).total / MIB, 3072);
    // Gemma 3 report, Table 1: 10,759M non-embedding and 417M vision parameters.
    let non_embedding: u64 = header
        .tensors
        .iter()
        .filter(|t| t.name.starts_with("blk.") || t.name == "output_norm.weight")
        .map(|t| t.elements)
        .sum();
    assert_eq!((non_embedding as f64 / 1e6).round(), 10_759.0);
    let tower: u64 = header
        .tensors
        .iter()
        .filter(|t| t.name.starts_with("v."))
        .map(|t| t.elements)
        .sum();
    assert_eq!((tower as f64 / 1e6).round(), 417.0);
    assert!(f.projector_parameters > tower && f.bytes.projector > 800 * MIB);
    // Tied embeddings: no output tensor, and the embedding is read every token.
    assert_eq!(f.bytes.output, 0);
    assert_eq!(f.bytes.read_per_token, f.bytes.total - f.bytes.projector);
}

#[test]
fn gpt_oss_20b_counts_its_experts_and_alternating_window() {
    let (_, f) = read(&fixtures::gpt_oss_20b());
    assert_eq!(
        (f.file_type, f.file_type_name.as_deref()),
        (Some(4), Some("MXFP4"))
    );
    // Model card: 20.9B parameters, 3.6B active per token.
    assert_eq!(f.parameters, 20_914_757_184);
    assert_eq!(
        (billions(f.parameters), billions(f.active_parameters)),
        (20.9, 3.6)
    );
    assert_eq!((f.expert_count, f.expert_used_count), (32, 4));
    let kinds: Vec<LayerKind> = f.layers.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds[..4],
        [
            LayerKind::Sliding,
            LayerKind::Full,
            LayerKind::Sliding,
            LayerKind::Full
        ]
    );
    // 12 full layers x 8192 + 12 sliding x pad256(128 + 512) = 768 cells, 2 KiB a cell.
    let kv = f.kv_cache(&KvOptions::new(8192, CacheType::F16));
    assert_eq!(kv.total, (12 * 8192 + 12 * 768) * 2048);
    // A token reads the non-expert weights but the embedding, and 4/32 of the experts.
    let expected = f.bytes.total - f.bytes.token_embedding - f.bytes.experts + f.bytes.experts / 8;
    assert_eq!(f.weights_read_per_token(), expected);
    // Ollama 0.11's ids (tensor type 4) and llama.cpp's (file type 38) describe the same bytes.
    let (_, legacy) = read(&fixtures::gpt_oss_20b_with(4, GgmlType::MXFP4_OLLAMA));
    let (_, ggml) = read(&fixtures::gpt_oss_20b_with(38, GgmlType::MXFP4));
    assert_eq!(ggml.file_type_name.as_deref(), Some("MXFP4_MOE"));
    for other in [legacy, ggml] {
        assert_eq!(
            (other.bytes.total, other.parameters),
            (f.bytes.total, f.parameters)
        );
    }
}

#[test]
fn qwen3_coder_30b_is_a_128_expert_moe() {
    let (_, f) = read(&fixtures::qwen3_coder_30b());
    assert_eq!(f.architecture, "qwen3moe");
    assert_eq!(
        (f.expert_count, f.expert_used_count, f.context_length),
        (128, 8, Some(262144))
    );
    // Model card: 30.5B total, 3.3B activated (Qwen counts the embedding in).
    assert_eq!(billions(f.parameters), 30.5);
    let embedding = 151_936 * 2048;
    assert!((3.3e9..3.4e9).contains(&((f.active_parameters + embedding) as f64)));
    // 48 layers x 4 KV heads x 128 x 2 x 2 bytes.
    assert_eq!(f.kv_bytes_per_token(CacheType::F16), 96 << 10);
    assert!(f.weights_read_per_token() < f.bytes.total / 8);
}

#[test]
fn deepseek_r1_8b_is_a_qwen3_8b() {
    let (_, f) = read(&fixtures::deepseek_r1_8b());
    assert_eq!(
        (f.architecture.as_str(), f.context_length),
        ("qwen3", Some(131072))
    );
    // Qwen3-8B model card: 8.2B parameters, 6.95B non-embedding.
    assert_eq!(billions(f.parameters), 8.2);
    let embeddings = 2 * 151_936 * 4096;
    assert_eq!(((f.parameters - embeddings) as f64 / 1e7).round(), 695.0);
    assert_eq!(f.kv_bytes_per_token(CacheType::F16), 144 << 10);
}

#[test]
fn granite4_micro_h_holds_state_not_kv_on_mamba_layers() {
    let (_, f) = read(&fixtures::granite4_micro_h());
    let attention: Vec<usize> = (0..40)
        .filter(|&i| f.layers[i].kind == LayerKind::Full)
        .collect();
    assert_eq!(attention, [5, 15, 25, 35]);
    assert_eq!(
        f.layers
            .iter()
            .filter(|l| l.kind == LayerKind::Recurrent)
            .count(),
        36
    );
    // Mamba-2 state per layer: conv (4 - 1) x (4096 + 2 x 128) + ssm 128 x 4096, f32.
    let r = f.recurrent.as_ref().expect("recurrent sizes");
    assert_eq!(r.state_elements, 3 * 4352 + 128 * 4096);
    let kv = f.kv_cache(&KvOptions::new(8192, CacheType::F16));
    assert_eq!(kv.attention, 4 * 8192 * (8 * 64 * 2 * 2));
    assert_eq!(kv.recurrent, 36 * r.state_elements * 4);
    // The state does not grow with the context; the 4 attention layers do.
    let long = f.kv_cache(&KvOptions::new(65536, CacheType::F16));
    assert_eq!(
        (long.recurrent, long.attention),
        (kv.recurrent, kv.attention * 8)
    );
    let two = f.kv_cache(&KvOptions {
        parallel: 2,
        ..KvOptions::new(8192, CacheType::F16)
    });
    assert_eq!(two.total, 2 * kv.total);
}

#[test]
fn a_clip_projector_is_a_projector_with_its_bytes() {
    let (header, f) = read(&fixtures::gemma3_mmproj());
    assert_eq!(
        (f.kind, f.architecture.as_str(), f.projector_type.as_deref()),
        (Kind::Projector, "clip", Some("gemma3"))
    );
    assert_eq!((f.block_count, f.embedding_length), (27, Some(1152)));
    assert!(f.layers.is_empty());
    assert_eq!(
        f.bytes.total,
        header.tensors.iter().map(|t| t.bytes).sum::<u64>()
    );
    assert_eq!(
        (f.bytes.projector, f.parameters),
        (f.bytes.total, f.projector_parameters)
    );
    assert_eq!(f.kv_cache(&KvOptions::new(8192, CacheType::F16)).total, 0);
    assert_eq!(f.weights_read_per_token(), 0);
}

#[test]
fn every_fixture_reads_with_its_file_length_and_serialises() {
    for (name, writer) in fixtures::all() {
        let header = writer.header();
        let limits = gguf::Limits {
            file_len: Some(header.len() as u64 + writer.data_len()),
            ..Default::default()
        };
        let parsed =
            gguf::read_header_with(&header, limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.data_offset, header.len() as u64, "{name}");
        let facts = Facts::from_header(&parsed).unwrap_or_else(|e| panic!("{name}: {e}"));
        let b = &facts.bytes;
        assert_eq!(
            b.token_embedding + b.output + b.layers + b.projector + b.other,
            b.total,
            "{name}"
        );
        // The data section is the tensors plus alignment padding between them.
        let padding = writer.data_len() - b.total;
        assert!(
            padding < 32 * parsed.tensors.len() as u64,
            "{name}: {padding} bytes of padding"
        );
        // Facts are cached as JSON by blob digest: they must read back as they were.
        let json = serde_json::to_string(&facts).expect("facts serialise");
        let back: Facts = serde_json::from_str(&json).expect("facts deserialise");
        assert_eq!(back, facts, "{name}");
    }
}
