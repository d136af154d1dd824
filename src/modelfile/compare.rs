//! Comparing Modelfiles by what Ollama keeps of them: parameters as a multiset
//! (order never matters; `show --modelfile` prints them in random order), the last
//! value of a repeated parameter, no comments, no deprecated parameters.

use super::params::{self, Lookup, ParamValue};
use super::{Message, Modelfile};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The part of a Modelfile a change is about, so callers can ignore some (the FROM
/// blob path and inherited TEMPLATE that `ollama show --modelfile` prints).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    From,
    Adapter,
    Template,
    System,
    Parameter(String),
    Messages,
    Licenses,
    Other,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::From => f.write_str("from"),
            Field::Adapter => f.write_str("adapter"),
            Field::Template => f.write_str("template"),
            Field::System => f.write_str("system"),
            Field::Parameter(name) => f.write_str(name),
            Field::Messages => f.write_str("messages"),
            Field::Licenses => f.write_str("licenses"),
            Field::Other => f.write_str("other instructions"),
        }
    }
}

/// One difference, printed as `num_ctx 8192 → 4096` (`unset` for a missing value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: Field,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "unset".into());
        write!(
            f,
            "{} {} → {}",
            self.field,
            show(&self.before),
            show(&self.after)
        )
    }
}

impl Modelfile {
    /// True when Ollama would build the same model from both files.
    pub fn semantic_eq(&self, other: &Modelfile) -> bool {
        self.diff(other).is_empty()
    }

    /// What changes from `self` to `other`, in a stable order.
    pub fn diff(&self, other: &Modelfile) -> Vec<Change> {
        let mut changes = text_changes(self, other);
        changes.extend(parameter_changes(self, other));
        changes.extend(list_changes(self, other));
        changes
    }

    /// The parameters Ollama keeps: deprecated names dropped, the last value of a
    /// scalar, every `stop` as a sorted multiset.
    pub fn effective_parameters(&self) -> BTreeMap<String, Vec<ParamValue>> {
        let mut map: BTreeMap<String, Vec<ParamValue>> = BTreeMap::new();
        for p in &self.parameters {
            if params::lookup(&p.name) == Lookup::Deprecated {
                continue;
            }
            let values = map.entry(p.name.clone()).or_default();
            if p.name != "stop" {
                values.clear();
            }
            values.push(p.value.clone());
        }
        if let Some(stops) = map.get_mut("stop") {
            stops.sort_by_key(|v| v.to_string());
        }
        map
    }
}

/// Changes of the single-text instructions (FROM, ADAPTER, TEMPLATE, SYSTEM),
/// each value shortened for one line.
fn text_changes(a: &Modelfile, b: &Modelfile) -> Vec<Change> {
    let texts = [
        (Field::From, Some(&a.from), Some(&b.from)),
        (Field::Adapter, a.adapter.as_ref(), b.adapter.as_ref()),
        (Field::Template, a.template.as_ref(), b.template.as_ref()),
        (Field::System, a.system.as_ref(), b.system.as_ref()),
    ];
    texts
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| Change {
            field,
            before: before.map(|t| short(t)),
            after: after.map(|t| short(t)),
        })
        .collect()
}

/// Changes of the repeated instructions (MESSAGE, LICENSE, any other), each list
/// compared whole.
fn list_changes(a: &Modelfile, b: &Modelfile) -> Vec<Change> {
    let lists = [
        (
            Field::Messages,
            messages(&a.messages),
            messages(&b.messages),
        ),
        (Field::Licenses, a.licenses.clone(), b.licenses.clone()),
        (Field::Other, commands(a), commands(b)),
    ];
    lists
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| Change {
            field,
            before: items(&before),
            after: items(&after),
        })
        .collect()
}

fn parameter_changes(a: &Modelfile, b: &Modelfile) -> Vec<Change> {
    let (before, after) = (a.effective_parameters(), b.effective_parameters());
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| Change {
            field: Field::Parameter(name.clone()),
            before: before.get(name).map(|v| list(v)),
            after: after.get(name).map(|v| list(v)),
        })
        .collect()
}

/// A list of texts in one line: `2 item(s) "user: hi | assistant: hello"`.
fn items(values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| format!("{} item(s) {}", values.len(), short(&values.join(" | "))))
}

fn list(values: &[ParamValue]) -> String {
    match values {
        [one] if !matches!(one, ParamValue::Text(_)) => one.to_string(),
        many => {
            let items: Vec<String> = many
                .iter()
                .map(|v| format!("{:?}", v.to_string()))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn messages(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| format!("{}: {}", m.role, m.content))
        .collect()
}

fn commands(file: &Modelfile) -> Vec<String> {
    file.extra
        .iter()
        .map(|c| format!("{} {}", c.name, c.args))
        .collect()
}

/// Long texts (system prompts, templates) shortened and escaped for one line.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    let escaped = format!("{text:?}");
    if escaped.chars().count() <= MAX {
        return escaped;
    }
    let head: String = escaped.chars().take(MAX).collect();
    format!("{head}…\" ({} chars)", text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Modelfile {
        Modelfile::parse(text).unwrap()
    }

    #[test]
    fn ignores_order_comments_and_deprecated_names() {
        let a = file("# x\nFROM m\nPARAMETER num_ctx 4096\nPARAMETER stop a\nPARAMETER stop b\n");
        let b = file(
            "FROM m\nPARAMETER stop b\nPARAMETER mirostat 1\nPARAMETER stop a\nPARAMETER num_ctx 4096\n",
        );
        assert!(a.semantic_eq(&b));
        let c = file(
            "FROM m\nPARAMETER num_ctx 1\nPARAMETER num_ctx 4096\nPARAMETER stop a\nPARAMETER stop b\n",
        );
        assert!(a.semantic_eq(&c), "{:?}", a.diff(&c));
    }

    #[test]
    fn explains_what_changed() {
        let a = file("FROM m\nSYSTEM hi\nPARAMETER num_ctx 8192\nPARAMETER stop a\n");
        let b = file(
            "FROM n\nPARAMETER num_ctx 4096\nPARAMETER temperature 0.5\nPARAMETER stop a\nPARAMETER stop c\n",
        );
        let changes: Vec<String> = a.diff(&b).iter().map(ToString::to_string).collect();
        assert_eq!(
            changes,
            [
                "from \"m\" → \"n\"",
                "system \"hi\" → unset",
                "num_ctx 8192 → 4096",
                "stop [\"a\"] → [\"a\", \"c\"]",
                "temperature unset → 0.5",
            ]
        );
        assert_eq!(a.diff(&b)[2].field, Field::Parameter("num_ctx".into()));
    }

    #[test]
    fn message_order_matters() {
        let a = file("FROM m\nMESSAGE user a\nMESSAGE assistant b\n");
        let b = file("FROM m\nMESSAGE assistant b\nMESSAGE user a\n");
        assert_eq!(a.diff(&b)[0].field, Field::Messages);
    }
}
