//! Parser for the sections `ollama show --verbose MODEL` adds (since 0.6.1): Metadata,
//! the GGUF key/values as text, and Tensors, each tensor's name, type and shape.
//!
//! Format (`cmd/cmd.go` `showInfo` at v0.33.0-rc2): rows of a borderless tablewriter
//! table, keys sorted; booleans `%t`, strings as is, numbers `%g` (so `131072`,
//! `1e+06`, `8.030261248e+09`), arrays `%v` cut to about ten characters with
//! ` ...+N more]`; tensor shapes `%v` of a slice (`[4096 128256]`). A cell wider than
//! 30 characters that holds spaces wraps onto a continuation row whose key cell is
//! blank.

use super::show::{ShowInfo, parse_show};
use anyhow::Result;

/// What `--verbose` adds to the default view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verbose {
    /// Metadata rows in printed order (key, value as text).
    pub metadata: Vec<(String, String)>,
    pub tensors: Vec<TensorRow>,
}

/// One row of the Tensors section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorRow {
    pub name: String,
    /// The ggml type name (`Q4_K`, `F32`).
    pub ggml_type: String,
    pub shape: Vec<u64>,
}

/// Parses the default view and the verbose sections. A Tensors row that is not
/// `name type [dims]` is an error: sizes computed from a misread row would be wrong.
pub fn parse_show_verbose(text: &str) -> Result<(ShowInfo, Verbose)> {
    let info = parse_show(text)?;
    let mut verbose = Verbose::default();
    let mut section = "";
    for line in text.lines() {
        if line.trim().is_empty() {
            section = "";
        } else if let Some(row) = line.strip_prefix("    ") {
            match section {
                "Metadata" => metadata_row(&mut verbose.metadata, row),
                "Tensors" => verbose.tensors.push(tensor_row(row)?),
                _ => {}
            }
        } else if let Some(header) = line.strip_prefix("  ") {
            section = match header.trim_end() {
                "Metadata" => "Metadata",
                "Tensors" => "Tensors",
                _ => "other",
            };
        }
    }
    Ok((info, verbose))
}

fn metadata_row(rows: &mut Vec<(String, String)>, row: &str) {
    let continued = row.starts_with(char::is_whitespace);
    let row = row.trim();
    match (continued, rows.last_mut()) {
        (true, Some((_, value))) => {
            value.push(' ');
            value.push_str(row);
        }
        _ => {
            let (key, value) = row.split_once(char::is_whitespace).unwrap_or((row, ""));
            rows.push((key.to_string(), value.trim().to_string()));
        }
    }
}

fn tensor_row(row: &str) -> Result<TensorRow> {
    let bad = || anyhow::anyhow!("could not read tensor row {:?}", row.trim());
    let (name, rest) = row.trim().split_once(char::is_whitespace).ok_or_else(bad)?;
    let (ggml_type, shape) = rest
        .trim()
        .split_once(char::is_whitespace)
        .ok_or_else(bad)?;
    let dims = shape
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(bad)?;
    let shape = dims
        .split_whitespace()
        .map(|d| d.parse::<u64>().map_err(|_| bad()))
        .collect::<Result<Vec<u64>>>()?;
    Ok(TensorRow {
        name: name.to_string(),
        ggml_type: ggml_type.to_string(),
        shape,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOWN: &str = "  Model
    architecture        llama    
    parameters          8.0B     
    context length      131072   
    quantization        Q4_K_M   

  Metadata
    general.architecture                      llama                       
    general.file_type                         15                          
    general.name                              Meta Llama 3.1 8B Instruct  
    general.parameter_count                   8.030261248e+09             
    llama.attention.head_count_kv             8                           
    llama.rope.freq_base                      500000                      
    tokenizer.ggml.tokens                     [! \" # ...+128253 more]     
    general.description                       a long description that     
                                              wraps onto a second row     

  Tensors
    token_embd.weight           Q4_K    [4096 128256]    
    blk.0.attn_norm.weight      F32     [4096]           

";

    #[test]
    fn reads_metadata_and_tensors_beside_the_model_section() {
        let (info, verbose) = parse_show_verbose(SHOWN).unwrap();
        assert_eq!(info.architecture.as_deref(), Some("llama"));
        let get = |k: &str| {
            verbose
                .metadata
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("general.name"), Some("Meta Llama 3.1 8B Instruct"));
        assert_eq!(get("general.parameter_count"), Some("8.030261248e+09"));
        assert_eq!(
            get("general.description"),
            Some("a long description that wraps onto a second row")
        );
        assert_eq!(
            get("tokenizer.ggml.tokens"),
            Some("[! \" # ...+128253 more]")
        );
        assert_eq!(
            verbose.tensors[0],
            TensorRow {
                name: "token_embd.weight".into(),
                ggml_type: "Q4_K".into(),
                shape: vec![4096, 128256],
            }
        );
        assert_eq!(verbose.tensors.len(), 2);
    }

    #[test]
    fn an_unreadable_tensor_row_is_an_error() {
        let text = "  Model\n    architecture    llama\n\n  Tensors\n    x    F32    [4096 a]\n";
        let error = parse_show_verbose(text).unwrap_err().to_string();
        assert!(error.contains("could not read tensor row"), "{error}");
    }

    #[test]
    fn the_plain_view_has_no_verbose_sections() {
        let (_, verbose) = parse_show_verbose("  Model\n    architecture    llama\n\n").unwrap();
        assert_eq!(verbose, Verbose::default());
    }
}
