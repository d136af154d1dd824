//! The registry's image manifest (Docker distribution schema 2) and what we read from it.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Media type of the layer that holds the GGUF weights.
pub const MODEL_MEDIA_TYPE: &str = "application/vnd.ollama.image.model";
/// Media type of a vision/audio projector loaded beside the model.
pub const PROJECTOR_MEDIA_TYPE: &str = "application/vnd.ollama.image.projector";
/// Media type of a LoRA adapter applied to the model.
pub const ADAPTER_MEDIA_TYPE: &str = "application/vnd.ollama.image.adapter";

/// A manifest as the registry serves it: a config blob and the layers of one tag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2 for the manifests Ollama publishes.
    pub schema_version: u32,
    /// The model's config blob (architecture, file type, …).
    pub config: Blob,
    /// Weights, template, license, parameters, … in publication order.
    pub layers: Vec<Blob>,
}

/// One content-addressed blob referenced by a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Blob {
    /// e.g. `application/vnd.ollama.image.model`; registries may omit it on the config.
    #[serde(default)]
    pub media_type: String,
    /// `sha256:<64 hex>`.
    pub digest: String,
    /// Exact size in bytes.
    pub size: u64,
}

/// What a manifest tells about a published tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTag {
    /// Bytes of the model (weights) layer: what `ollama pull` downloads for the GGUF.
    pub model_bytes: u64,
    /// Bytes of all layers plus the config: what `ollama list` shows as SIZE once pulled.
    pub total_bytes: u64,
    /// `sha256:<hex>` of the manifest body; its first 12 hex digits are the `ollama list` ID.
    pub digest: String,
    /// The config blob: `ollama pull` fetches it too.
    pub config: Blob,
    /// Every layer (model, projector, adapters, template, …) with its digest and size.
    pub layers: Vec<Blob>,
}

impl Manifest {
    /// Parses a manifest body; rejects schema versions other than 2.
    pub fn parse(body: &[u8]) -> Result<Manifest> {
        let manifest: Manifest =
            serde_json::from_slice(body).context("could not parse the registry manifest")?;
        if manifest.schema_version != 2 {
            bail!(
                "could not use the registry manifest: schema version {} (expected 2)",
                manifest.schema_version
            );
        }
        Ok(manifest)
    }

    /// Bytes of the model layers (normally exactly one), or `None` when there is
    /// none or they add up to more than 64 bits hold.
    pub fn model_bytes(&self) -> Option<u64> {
        let mut models = self
            .layers
            .iter()
            .filter(|layer| layer.media_type == MODEL_MEDIA_TYPE)
            .peekable();
        models.peek()?;
        models.try_fold(0u64, |sum, layer| sum.checked_add(layer.size))
    }

    /// Bytes of every layer plus the config blob (Ollama's `manifest.Size()`), or
    /// `None` when they add up to more than 64 bits hold.
    pub fn total_bytes(&self) -> Option<u64> {
        self.layers
            .iter()
            .try_fold(self.config.size, |sum, layer| sum.checked_add(layer.size))
    }
}

impl RemoteTag {
    /// The first layer of this media type.
    pub fn layer(&self, media_type: &str) -> Option<&Blob> {
        self.layers.iter().find(|l| l.media_type == media_type)
    }

    /// Bytes of every layer of this media type.
    pub fn bytes_of(&self, media_type: &str) -> u64 {
        self.layers
            .iter()
            .filter(|l| l.media_type == media_type)
            .fold(0u64, |sum, l| sum.saturating_add(l.size))
    }

    /// `(digest, size)` of the config and every layer: what `ollama pull` fetches,
    /// less the blobs the model store already holds.
    pub fn blobs(&self) -> Vec<(String, u64)> {
        std::iter::once(&self.config)
            .chain(&self.layers)
            .map(|blob| (blob.digest.clone(), blob.size))
            .collect()
    }

    /// Reads the sizes and digest of a tag from its manifest body.
    pub fn from_body(body: &[u8]) -> Result<RemoteTag> {
        let manifest = Manifest::parse(body)?;
        if !manifest
            .layers
            .iter()
            .any(|l| l.media_type == MODEL_MEDIA_TYPE)
        {
            bail!("could not use the registry manifest: it has no {MODEL_MEDIA_TYPE} layer");
        }
        let (Some(model_bytes), Some(total_bytes)) =
            (manifest.model_bytes(), manifest.total_bytes())
        else {
            bail!(
                "could not use the registry manifest: its layer sizes add up to more than 2^64 bytes"
            );
        };
        Ok(RemoteTag {
            model_bytes,
            total_bytes,
            digest: sha256_digest(body),
            config: manifest.config,
            layers: manifest.layers,
        })
    }
}

/// `sha256:<lowercase hex>` of some bytes, as registries name content.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut text = String::with_capacity(7 + 64);
    text.push_str("sha256:");
    for byte in hash.iter() {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const LLAMA: &str =
        include_str!("../../tests/fixtures/registry/llama3.1_8b-instruct-q4_K_M.json");

    #[test]
    fn reads_the_layers_of_a_published_manifest() {
        let manifest = Manifest::parse(LLAMA.as_bytes()).unwrap();
        assert_eq!(manifest.schema_version, 2);
        assert_eq!(manifest.config.size, 487);
        let types: Vec<&str> = manifest
            .layers
            .iter()
            .map(|l| l.media_type.as_str())
            .collect();
        assert_eq!(
            types,
            [
                "application/vnd.ollama.image.model",
                "application/vnd.ollama.image.template",
                "application/vnd.ollama.image.license",
                "application/vnd.ollama.image.params",
            ]
        );
        assert_eq!(manifest.model_bytes(), Some(4_920_738_944));
        assert_eq!(
            manifest.total_bytes(),
            Some(4_920_738_944 + 1481 + 12320 + 96 + 487)
        );
    }

    #[test]
    fn remote_tag_carries_sizes_and_the_body_digest() {
        let tag = RemoteTag::from_body(LLAMA.as_bytes()).unwrap();
        assert_eq!(tag.model_bytes, 4_920_738_944);
        assert_eq!(tag.total_bytes, 4_920_753_328);
        assert_eq!(tag.digest, sha256_digest(LLAMA.as_bytes()));
    }

    #[test]
    fn digest_is_lowercase_hex_sha256() {
        // The SHA-256 of the empty string is a well-known constant.
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn several_model_layers_are_summed() {
        let body = r#"{"schemaVersion":2,"config":{"digest":"sha256:c","size":10},
            "layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:a","size":100},
                      {"mediaType":"application/vnd.ollama.image.projector","digest":"sha256:p","size":7},
                      {"mediaType":"application/vnd.ollama.image.model","digest":"sha256:b","size":50}]}"#;
        let manifest = Manifest::parse(body.as_bytes()).unwrap();
        assert_eq!(manifest.model_bytes(), Some(150));
        assert_eq!(manifest.total_bytes(), Some(167));
    }

    #[test]
    fn sizes_that_overflow_are_refused() {
        let body = r#"{"schemaVersion":2,"config":{"digest":"sha256:c","size":10},
            "layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:a","size":18446744073709551615},
                      {"mediaType":"application/vnd.ollama.image.model","digest":"sha256:b","size":1}]}"#;
        let manifest = Manifest::parse(body.as_bytes()).unwrap();
        assert_eq!(
            (manifest.model_bytes(), manifest.total_bytes()),
            (None, None)
        );
        let error = RemoteTag::from_body(body.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("add up to more than 2^64 bytes"), "{error}");
    }

    #[test]
    fn a_manifest_without_a_model_layer_is_refused() {
        let body = r#"{"schemaVersion":2,"config":{"digest":"sha256:c","size":1},
            "layers":[{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:t","size":5}]}"#;
        let error = RemoteTag::from_body(body.as_bytes()).unwrap_err();
        assert!(format!("{error:#}").contains("no application/vnd.ollama.image.model layer"));
    }

    #[test]
    fn other_schema_versions_and_garbage_are_refused() {
        let v1 = r#"{"schemaVersion":1,"config":{"digest":"sha256:c","size":1},"layers":[]}"#;
        let error = Manifest::parse(v1.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("schema version 1"));
        let error = Manifest::parse(b"<html>captive portal</html>").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("could not parse the registry manifest")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_layer_sizes_sum_or_are_refused(sizes in proptest::collection::vec(proptest::num::u64::ANY, 1..5)) {
            let layers: Vec<String> = sizes
                .iter()
                .map(|s| format!(r#"{{"mediaType":"{MODEL_MEDIA_TYPE}","digest":"sha256:a","size":{s}}}"#))
                .collect();
            let body = format!(
                r#"{{"schemaVersion":2,"config":{{"digest":"sha256:c","size":1}},"layers":[{}]}}"#,
                layers.join(",")
            );
            let expected = sizes.iter().try_fold(0u64, |sum, s| sum.checked_add(*s));
            let tag = RemoteTag::from_body(body.as_bytes());
            proptest::prop_assert_eq!(tag.ok().map(|t| t.model_bytes), expected.filter(|e| e.checked_add(1).is_some()));
        }
    }
}
