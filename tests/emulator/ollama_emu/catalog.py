"""The emulated library: tags, sizes, shapes and templates (reference §2, catalog/library.yaml)."""

QUANTS = ["fp16", "q8_0", "q6_K", "q5_K_M", "q5_K_S", "q5_1", "q5_0", "q4_K_M", "q4_K_S",
          "q4_1", "q4_0", "q3_K_L", "q3_K_M", "q3_K_S", "q2_K"]
# Registry/computed bytes from the reference table, in QUANTS order.
SIZES = {
    "llama3.1:8b": [16068895872, 8540775552, 6596011136, 5732992128, 5599298688, 6068339840,
                    5599298688, 4920738944, 4692673664, 5130257536, 4661216384, 4321961088,
                    4018922624, 3664503936, 3179136128],
    "llama3.2:3b": [6433687776, 3421898976, 2643853536, 2322153696, 2269511904, 2445672672,
                    2269511904, 2019377376, 1928200416, 2093351136, 1917190368, 1815347424,
                    1687159008, 1542848736, 1363935456],
    "qwen2.5:7b": [15237853600, 8098525600, 6254199200, 5444831648, 5315176864, 5757069728,
                   5315176864, 4683073952, 4457769376, 4873284000, 4431391136, 4088459680,
                   3808391584, 3492368800, 3015940512],
    "llama3.1:70b": [141117891712, 74975028352, 57888121984, 49949795456, 48657425536,
                     53001282688, 48657425536, 42520372352, 40347198592, None, 39969711232,
                     37140571264, 34267473024, 30912029824, 26375087232],
}
# Bytes per parameter of each quant, from the llama3.1 8B row (8.03e9 parameters):
# used, and documented as derived, for sizes the reference does not list.
PER_PARAM = {q: SIZES["llama3.1:8b"][i] / 8.03e9 for i, q in enumerate(QUANTS)}
FILE_TYPE = {"fp16": "F16", "bf16": "BF16"}

LLAMA3_TEMPLATE = (
    "<|start_header_id|>system<|end_header_id|>\n\n{{ if .System }}{{ .System }}{{ end }}"
    "{{ if .Tools }}You have access to tools.{{ end }}<|eot_id|>\n"
    "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n"
    "{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n")
QWEN_TEMPLATE = (
    "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
    "{{- if .Tools }}# Tools{{ end }}"
    "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
    "<|im_start|>assistant\n")
# Thinking inside `range .Messages`, between text tags: what thinking.InferTags looks for.
QWEN3_TEMPLATE = QWEN_TEMPLATE.replace(
    "{{ .Role }}\n{{ .Content }}",
    "{{ .Role }}\n{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}")
LLAMA_STOP = {"stop": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]}
QWEN_STOP = {"stop": ["<|im_start|>", "<|im_end|>"]}
QWEN3_PARAMS = {"repeat_penalty": 1, "stop": ["<|im_start|>", "<|im_end|>"],
                "temperature": 0.6, "top_k": 20, "top_p": 0.95}


def license_text(version, date):
    return ("LLAMA %s COMMUNITY LICENSE AGREEMENT\nLlama %s Version Release Date: %s\n\n"
            "\"Agreement\" means the terms and conditions for use, reproduction, distribution "
            "and modification of the Llama Materials set forth herein.\n"
            ) % (version, version, date)


def family(model, arch, template, params, license):
    return dict(model=model, arch=arch, template=template, params=params, license=license)


LLAMA31 = family("llama3.1", "llama", LLAMA3_TEMPLATE, LLAMA_STOP,
                 license_text("3.1", "July 23, 2024"))
LLAMA32 = family("llama3.2", "llama", LLAMA3_TEMPLATE, LLAMA_STOP,
                 license_text("3.2", "September 25, 2024"))
QWEN25 = family("qwen2.5", "qwen2", QWEN_TEMPLATE, QWEN_STOP,
                "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n")
QWEN3 = family("qwen3", "qwen3", QWEN3_TEMPLATE, QWEN3_PARAMS,
               "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n")


# (family, size label, flavor, parameter count, model_type, context, embedding,
#  sizes key or None, quants, default quant, (block_count, head_count, head_count_kv,
#  head_dim)). Shapes from catalog/library.yaml `dims` (HF config.json).
LINES = [
    (LLAMA31, "8b", "instruct", 8030261248, "8.0B", 131072, 4096, "llama3.1:8b", QUANTS,
     "q4_K_M", (32, 32, 8, 128)),
    (LLAMA31, "8b", "text", 8030261248, "8.0B", 131072, 4096, "llama3.1:8b", QUANTS, None,
     (32, 32, 8, 128)),
    (LLAMA31, "70b", "instruct", 70553706496, "70.6B", 131072, 8192, "llama3.1:70b",
     [q for q in QUANTS if q != "q4_1"], "q4_K_M", (80, 64, 8, 128)),
    (LLAMA32, "3b", "instruct", 3212749888, "3.2B", 131072, 3072, "llama3.2:3b", QUANTS,
     "q4_K_M", (28, 24, 8, 128)),
    (LLAMA32, "1b", "instruct", 1235814432, "1.2B", 131072, 2048, None, QUANTS, "q8_0",
     (16, 32, 8, 64)),
    (QWEN25, "0.5b", "instruct", 494032768, "494.03M", 32768, 896, None, QUANTS, "q4_K_M",
     (24, 14, 2, 64)),
    (QWEN25, "1.5b", "instruct", 1543714304, "1.5B", 32768, 1536, None, QUANTS, "q4_K_M",
     (28, 12, 2, 128)),
    (QWEN25, "3b", "instruct", 3085938688, "3.1B", 32768, 2048, None, QUANTS, "q4_K_M",
     (36, 16, 2, 128)),
    (QWEN25, "7b", "instruct", 7615616512, "7.6B", 32768, 3584, "qwen2.5:7b", QUANTS,
     "q4_K_M", (28, 28, 4, 128)),
    (QWEN3, "0.6b", None, 751632384, "751.63M", 40960, 1024, None,
     ["fp16", "q8_0", "q4_K_M"], "q4_K_M", (28, 16, 8, 128)),
    (QWEN3, "1.7b", None, 2031739904, "2.0B", 40960, 2048, None,
     ["fp16", "q8_0", "q4_K_M"], "q4_K_M", (28, 16, 8, 128)),
    (QWEN3, "4b", None, 4022468096, "4.0B", 40960, 2560, None,
     ["fp16", "q8_0", "q4_K_M"], "q4_K_M", (36, 32, 8, 128)),
    (QWEN3, "8b", None, 8190735360, "8.2B", 40960, 4096, None,
     ["fp16", "q8_0", "q4_K_M"], "q4_K_M", (36, 32, 8, 128)),
]
# Registry-exact anchors the tables do not hold (reference §2.3).
ANCHORS = {("llama3.2", "1b-instruct-q8_0"): 1321082688}
# Models whose `latest` tag points at the given size label.
LATEST = {"llama3.1": "8b", "llama3.2": "3b", "qwen2.5": "7b", "qwen3": "8b"}

# Cloud models (legacy `-cloud` tags): a manifest whose config names the remote host and
# model and carries what `show` prints; no weights. gpt-oss shapes from its model card
# (20.9B/116.8B parameters, hidden size 2880, 128K context, MXFP4 weights).
CLOUD_HOST = "https://ollama.com:443"
CLOUD = {
    ("gpt-oss", "20b-cloud"): dict(remote_model="gpt-oss:20b", family="gptoss",
                                   model_type="20.9B", file_type="MXFP4", ctx=131072,
                                   emb=2880),
    ("gpt-oss", "120b-cloud"): dict(remote_model="gpt-oss:120b", family="gptoss",
                                    model_type="116.8B", file_type="MXFP4", ctx=131072,
                                    emb=2880),
}
CLOUD_CAPABILITIES = ["completion", "tools", "thinking"]
