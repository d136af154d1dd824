//! Which levels `ollama create --quantize` makes on each version, and from what.
//!
//! Before 0.6.9 (`server/images.go` at v0.5.4) the server maps the name with
//! `ParseFileType` (`llm/filetype.go`, from v0.5.12 `fs/ggml/type.go`) and hands the
//! GGUF to llama.cpp's `llama_model_quantize`, which refuses the very-low-bit types
//! without an importance matrix (`llama/llama.cpp` at v0.5.4, lines 19538 and
//! 19848-19863; `llama-quant.cpp` unchanged through v0.6.8). From 0.6.9 (commit
//! 424810450, first tagged v0.6.9-rc0) Ollama quantizes itself and `ParseFileType`
//! knows only F32, F16, Q8_0, Q4_K_S, Q4_K_M (alias Q4_K) and BF16.

use super::version::{OllamaVersion, v};
use crate::quant::Quant;

/// Ollama's own quantizer, with the short `ParseFileType` list (commit 424810450).
const OWN_QUANTIZER: OllamaVersion = v(0, 6, 9);
/// `IQ3_M` joined `ParseFileType` in v0.4.5.
const IQ3_M_NAMED: OllamaVersion = v(0, 4, 5);
/// BF16 sources accepted from v0.22.0 ("quantization is only supported for F16, BF16
/// and F32 models", `server/create.go`).
const BF16_SOURCE: OllamaVersion = v(0, 22, 0);

/// `ParseFileType`'s names up to 0.6.8 (`llm/filetype.go` at v0.1.45 … `fs/ggml/type.go`
/// at v0.6.8), IQ3_M from v0.4.5 on.
const LLAMA_CPP_NAMES: [&str; 31] = [
    "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q4_1_F16", "Q8_0", "Q5_0", "Q5_1", "Q2_K", "Q2_K_S",
    "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ1_S", "IQ1_M",
    "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M", "IQ4_NL",
    "IQ4_XS",
];

/// Named but not made by llama.cpp's quantizer without an importance matrix (Ollama
/// passes none), or not at all (Q4_1_F16: "invalid output file type 4"). The real
/// 0.5.4 (bigdl-core-cpp 2.6.0) fails each with `Error: llama_model_quantize: 1`.
/// IQ3_XXS fails too: llama.cpp puts `attn_q`/`attn_k` in IQ2_S for that mix.
const NEED_IMATRIX: [&str; 9] = [
    "Q4_1_F16", "Q2_K_S", "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS",
];

/// `ParseFileType` from v0.6.9 on; Q4_K is an alias of Q4_K_M. BF16 is accepted though
/// its error message leaves it out (the `fsggml.FileTypeBF16` line there is commented out, marked to do).
const OWN_NAMES: [&str; 7] = ["F32", "F16", "Q8_0", "Q4_K_S", "Q4_K_M", "Q4_K", "BF16"];

/// Checks a `--quantize` value as this version's server would (it upper-cases it
/// first, `server/create.go`), with Ollama's own error text.
pub fn check_target(version: OllamaVersion, name: &str) -> Result<(), String> {
    let name = name.trim().to_ascii_uppercase();
    if version >= OWN_QUANTIZER {
        return match OWN_NAMES.contains(&name.as_str()) {
            true => Ok(()),
            false => Err(format!(
                "unsupported quantization type {name} - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0"
            )),
        };
    }
    let named =
        LLAMA_CPP_NAMES.contains(&name.as_str()) && (name != "IQ3_M" || version >= IQ3_M_NAMED);
    if !named {
        return Err(format!("unknown fileType: {name}"));
    }
    if NEED_IMATRIX.contains(&name.as_str()) {
        return Err(format!(
            "llama_model_quantize: 1 (llama.cpp cannot make {name} without an importance matrix, which Ollama {version} does not pass)"
        ));
    }
    Ok(())
}

/// Whether `ollama create -q` on this version can make `target` (from a float source).
pub fn can_create(version: OllamaVersion, target: Quant) -> bool {
    check_target(version, target.name()).is_ok()
}

/// Every level of [`Quant`] this version's `create -q` can make, highest precision first.
pub fn create_targets(version: OllamaVersion) -> Vec<Quant> {
    Quant::all().filter(|&q| can_create(version, q)).collect()
}

/// Checks the source's file type, with Ollama's error text (`server/images.go` at
/// v0.5.4, `server/create.go` at v0.22.0).
pub fn check_source(version: OllamaVersion, source: Quant) -> Result<(), String> {
    match source {
        Quant::F16 | Quant::F32 => Ok(()),
        Quant::BF16 if version >= BF16_SOURCE => Ok(()),
        _ if version >= BF16_SOURCE => {
            Err("quantization is only supported for F16, BF16 and F32 models".into())
        }
        _ => Err("quantization is only supported for F16 and F32 models".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_0_6_9_llama_cpp_makes_every_k_quant() {
        // Each line below was run on the real 0.5.4 (bigdl-core-cpp 2.6.0, a tiny F16
        // llama with 256-wide tensors): `ollama create -q X` succeeded or failed as asserted.
        let v054 = v(0, 5, 4);
        for ok in [
            "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_S",
            "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ3_XS", "IQ3_S",
            "IQ3_M", "IQ4_NL", "IQ4_XS", "q4_k_m",
        ] {
            assert_eq!(check_target(v054, ok), Ok(()), "{ok}");
        }
        for bad in NEED_IMATRIX {
            assert!(
                check_target(v054, bad)
                    .unwrap_err()
                    .starts_with("llama_model_quantize: 1"),
                "{bad}"
            );
        }
        assert_eq!(
            check_target(v054, "Q4_K"),
            Err("unknown fileType: Q4_K".into())
        );
        assert_eq!(
            check_target(v054, "TQ1_0"),
            Err("unknown fileType: TQ1_0".into())
        );
        // Every level provision knows but MXFP4 (gpt-oss's own format, which no
        // quantizer of Ollama writes).
        let all_but_mxfp4: Vec<Quant> = Quant::all().filter(|q| *q != Quant::MXFP4).collect();
        assert_eq!(create_targets(v054), all_but_mxfp4);
    }

    #[test]
    fn iq3_m_is_named_from_0_4_5() {
        // llm/filetype.go: no "IQ3_M" case at v0.4.4, one at v0.4.5.
        assert_eq!(
            check_target(v(0, 4, 4), "IQ3_M"),
            Err("unknown fileType: IQ3_M".into())
        );
        assert_eq!(check_target(v(0, 4, 5), "IQ3_M"), Ok(()));
    }

    #[test]
    fn from_0_6_9_only_five_levels_and_bf16() {
        // fs/ggml/type.go ParseFileType at v0.7.0 (first release after 424810450).
        let v07 = v(0, 7, 0);
        assert_eq!(
            create_targets(v07),
            [
                Quant::F32,
                Quant::F16,
                Quant::BF16,
                Quant::Q8_0,
                Quant::Q4KM,
                Quant::Q4KS
            ]
        );
        assert_eq!(check_target(v07, "q4_k"), Ok(()));
        assert_eq!(
            check_target(v07, "Q5_K_M").unwrap_err(),
            "unsupported quantization type Q5_K_M - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0"
        );
        assert!(!can_create(v(0, 6, 9), Quant::Q6K));
        assert!(can_create(v(0, 6, 8), Quant::Q6K));
        assert_eq!(create_targets(OllamaVersion::NEWEST), create_targets(v07));
    }

    #[test]
    fn sources_are_floats_and_bf16_only_from_0_22() {
        // server/images.go at v0.5.4 and server/create.go at v0.21.2: F16 and F32 only;
        // server/create.go at v0.22.0: F16, BF16 and F32.
        assert_eq!(check_source(v(0, 5, 4), Quant::F16), Ok(()));
        assert_eq!(
            check_source(v(0, 21, 2), Quant::BF16),
            Err("quantization is only supported for F16 and F32 models".into())
        );
        assert_eq!(check_source(v(0, 22, 0), Quant::BF16), Ok(()));
        assert_eq!(
            check_source(OllamaVersion::NEWEST, Quant::Q8_0),
            Err("quantization is only supported for F16, BF16 and F32 models".into())
        );
    }
}
