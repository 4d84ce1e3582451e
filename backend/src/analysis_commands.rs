//! `moat explain`, `moat matrix` and `moat cost`: the analysis of `shared`, printed for people
//! (text) or tools (`--format json`). Exit codes: 0 answered (and, for explain, reachable),
//! 1 explain found the path blocked, 2 the file or a question could not be read.

use std::path::Path;
use std::process::ExitCode;

use shared::cost::{self, format_money};
use shared::model::{Design, Protocol};
use shared::reachability::{self, Reachability, Traffic, Verdict, parse_place};

/// Reads and loads a design file, or says precisely why not.
fn load(file: &Path) -> Result<Design, String> {
    let shown = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|error| format!("{shown}: cannot read: {error}"))?;
    shared::spec::load_design(&text).map_err(|error| format!("{shown}: {error}"))
}

/// Parses `tcp`, `udp`, `icmp`, `all` or an IP protocol number (0 to 255).
pub fn parse_protocol(text: &str) -> Result<Protocol, String> {
    Protocol::from_ec2(text).ok_or_else(|| {
        format!(
            "unknown protocol \"{}\": use tcp, udp, icmp, all or an IP protocol number from 0 to 255",
            text.trim()
        )
    })
}

pub fn explain(
    file: &Path,
    from: &str,
    to: &str,
    protocol: Protocol,
    port: u16,
    json: bool,
) -> ExitCode {
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("moat explain: {message}");
            return ExitCode::from(2);
        }
    };
    let places = parse_place(&design, from)
        .map_err(|e| format!("--from: {e}"))
        .and_then(|from| {
            parse_place(&design, to)
                .map_err(|e| format!("--to: {e}"))
                .map(|to| (from, to))
        });
    let (from, to) = match places {
        Ok(places) => places,
        Err(message) => {
            eprintln!("moat explain: {message}");
            return ExitCode::from(2);
        }
    };
    let traffic = Traffic {
        protocol,
        port: matches!(protocol, Protocol::Tcp | Protocol::Udp).then_some(port),
    };
    let answer = Reachability::new(&design).explain(&from, &to, traffic);
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(&answer).unwrap_or_default()
        );
    } else {
        let verdict = if answer.reachable {
            format!(
                "reachable via {}",
                answer.exit.as_ref().map_or("?", reachability::exit_label)
            )
        } else {
            "BLOCKED".to_string()
        };
        say!(
            "{} → {} ({}): {verdict}",
            answer.from,
            answer.to,
            answer.traffic
        );
        for (index, hop) in answer.hops.iter().enumerate() {
            let mark = match hop.verdict {
                Verdict::Pass => "ok  ",
                Verdict::Block => "NO  ",
                Verdict::Skip => "skip",
            };
            say!(
                "  {:>2}. {mark} {:<24} {}",
                index + 1,
                hop.kind.label(),
                hop.detail
            );
        }
        if let Some(blocked) = &answer.blocked {
            say!("  blocked [{}]: {}", blocked.code, blocked.message);
            say!("  hint: {}", blocked.hint);
        }
    }
    if answer.reachable {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn matrix(file: &Path, json: bool) -> ExitCode {
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("moat matrix: {message}");
            return ExitCode::from(2);
        }
    };
    let rows = reachability::reachability_matrix(&design);
    if json {
        let columns: Vec<String> = reachability::matrix_columns(&design)
            .into_iter()
            .map(|(name, _, _)| name)
            .collect();
        say!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"columns": columns, "rows": rows}))
                .unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    let columns = reachability::matrix_columns(&design);
    let subnet_width = rows
        .iter()
        .map(|r| r.subnet.len())
        .chain([6])
        .max()
        .unwrap_or(6);
    let mut header = format!("{:<subnet_width$}", "subnet");
    let widths: Vec<usize> = columns
        .iter()
        .map(|(name, _, _)| name.len().max(22))
        .collect();
    for ((name, _, _), width) in columns.iter().zip(&widths) {
        header.push_str(&format!("  {name:<width$}"));
    }
    say!("{}", header.trim_end());
    for row in &rows {
        let mut line = format!("{:<subnet_width$}", row.subnet);
        for (cell, width) in row.cells.iter().zip(&widths) {
            let text = if cell.reachable {
                format!("yes ({})", cell.via.as_deref().unwrap_or("?"))
            } else {
                format!("no ({})", cell.code.unwrap_or("?"))
            };
            line.push_str(&format!("  {text:<width$}"));
        }
        say!("{}", line.trim_end());
    }
    ExitCode::SUCCESS
}

pub fn cost(file: &Path, json: bool) -> ExitCode {
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("moat cost: {message}");
            return ExitCode::from(2);
        }
    };
    let estimate = cost::estimate(&design);
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(&estimate).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    let prices = estimate.prices;
    say!(
        "Monthly estimate for {} ({}): {}",
        design.name,
        estimate.region,
        format_money(estimate.total_monthly, false)
    );
    if !estimate.regional_prices {
        say!(
            "  note: no price table for {}; {} prices used",
            estimate.region,
            prices.region
        );
    }
    say!("  prices: {} as of {}", prices.region, prices.as_of);
    say!("Fixed: {}", format_money(estimate.fixed_monthly, false));
    let item_width = estimate
        .fixed
        .iter()
        .map(|l| l.item.chars().count())
        .max()
        .unwrap_or(0);
    for line in &estimate.fixed {
        say!(
            "  {:<item_width$} {:>6} {:<13} × {:>8} = {:>12}",
            line.item,
            line.quantity,
            line.unit,
            format!("${:.4}", line.unit_price),
            format_money(line.monthly, false)
        );
    }
    say!("Flows: {}", format_money(estimate.flows_monthly, false));
    for flow in &estimate.flows {
        say!(
            "  {} → {}: {} GB/month via {}: {}",
            flow.from,
            flow.to,
            flow.gb_per_month,
            flow.path,
            format_money(flow.monthly, false)
        );
        for line in &flow.lines {
            say!(
                "      {:<44} {:>8} GB × ${:.4} = {:>12}",
                line.item,
                line.quantity,
                line.unit_price,
                format_money(line.monthly, false)
            );
        }
    }
    let compute = &estimate.compute;
    say!(
        "Compute (apart from the network): {} (on-demand, {} as of {})",
        format_money(compute.monthly, false),
        compute.prices_region,
        compute.as_of
    );
    for line in &compute.lines {
        say!(
            "  {} × ${:.4} = {}",
            line.item,
            line.unit_price,
            format_money(line.monthly, false)
        );
    }
    for note in &compute.notes {
        say!("  note: {note}");
    }
    for unpriced in &compute.unpriced {
        say!(
            "  {}: not priced ({}): the compute total leaves it out",
            unpriced.workload,
            unpriced.reason
        );
    }
    if !estimate.suggestions.is_empty() {
        say!("Suggestions:");
        for suggestion in &estimate.suggestions {
            say!("  [{}] {}", suggestion.code, suggestion.message);
        }
    }
    ExitCode::SUCCESS
}
