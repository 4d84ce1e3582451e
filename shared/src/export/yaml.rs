//! A small YAML writer for JSON values (block style, keys in the given order, strings quoted
//! whenever YAML could read them as anything but a string).

use serde_json::Value;

/// The value as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0, false);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        _ => String::new(),
    }
}

/// Strings are double-quoted unless plainly safe (letters, digits, `-_.:/` and spaces inside).
fn quoted(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ' '))
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
        );
    if plain {
        text.to_string()
    } else {
        super::escape::yaml_string(text)
    }
}

fn key(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        && !text.is_empty()
    {
        text.to_string()
    } else {
        super::escape::yaml_string(text)
    }
}

fn write_value(out: &mut String, value: &Value, indent: usize, in_list: bool) {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (index, (name, item)) in map.iter().enumerate() {
                // The first key of a list item sits on the dash's line.
                if !(in_list && index == 0) {
                    out.push_str(&pad);
                }
                out.push_str(&key(name));
                out.push(':');
                write_child(out, item, indent);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        write_value(out, item, indent + 1, true);
                    }
                    Value::Array(list) if !list.is_empty() => {
                        out.push('\n');
                        write_value(out, item, indent + 1, false);
                    }
                    other => {
                        out.push_str(&inline(other));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn inline(value: &Value) -> String {
    match value {
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
        other => scalar(other),
    }
}

fn write_child(out: &mut String, item: &Value, indent: usize) {
    match item {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_value(out, item, indent + 1, false);
        }
        Value::Array(list) if !list.is_empty() => {
            out.push('\n');
            write_value(out, item, indent + 1, false);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_maps_lists_and_quoting() {
        let value = json!({
            "Resources": {
                "Vpc": {
                    "Type": "AWS::EC2::VPC",
                    "Properties": {
                        "CidrBlock": "10.0.0.0/16",
                        "EnableDnsSupport": true,
                        "Tags": [{"Key": "Name", "Value": "vpc-1"}, {"Key": "on", "Value": "yes"}],
                        "Empty": [],
                        "Ports": [443, 80]
                    }
                }
            }
        });
        let text = to_yaml(&value);
        for line in [
            "Resources:\n  Vpc:\n",
            "    Type: \"AWS::EC2::VPC\"\n",
            "      CidrBlock: \"10.0.0.0/16\"\n",
            "      EnableDnsSupport: true\n",
            "      Tags:\n        - Key: Name\n          Value: vpc-1\n        - Key: \"on\"\n          Value: \"yes\"\n",
            "      Empty: []\n",
            "      Ports:\n        - 443\n        - 80\n",
        ] {
            assert!(text.contains(line), "{line:?} not in\n{text}");
        }
    }
}
