//! The analysis panels: the Path tool (a source and a destination picked on the canvas or typed;
//! the answer hop by hop, the path marked on the canvas), the reachability matrix, and the live
//! cost estimate whose suggestions apply as one undoable command. All answers come from
//! `shared::reachability` and `shared::cost`, the same code the CLI runs.

use leptos::prelude::*;
use shared::cost::{self, format_money};
use shared::model::{ObjectKind, Protocol};
use shared::reachability::{self, PathAnswer, Reachability, Traffic, Verdict, parse_place};

use crate::app::AppState;

/// The Path tool's question, as typed or picked.
#[derive(Clone, Copy)]
pub struct PathQuestion {
    /// Picking on the canvas: the next click sets the source (then the destination).
    pub picking: RwSignal<bool>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub protocol: RwSignal<String>,
    pub port: RwSignal<String>,
    /// The answer for the current design and question (None until both ends are set).
    pub answer: Memo<Option<Result<PathAnswer, String>>>,
    /// The objects on the answer's path, and the one that blocks it.
    pub on_path: Memo<Vec<String>>,
    pub blocking: Memo<Option<String>>,
}

impl PathQuestion {
    pub fn new(state_editor: RwSignal<shared::editor::Editor>) -> Self {
        let picking = RwSignal::new(false);
        let from = RwSignal::new(String::new());
        let to = RwSignal::new(String::new());
        let protocol = RwSignal::new("tcp".to_string());
        let port = RwSignal::new("443".to_string());
        let answer = Memo::new(move |_| {
            let (from_text, to_text) = (from.get(), to.get());
            if from_text.trim().is_empty() || to_text.trim().is_empty() {
                return None;
            }
            let protocol = match protocol.get().as_str() {
                "udp" => Protocol::Udp,
                "icmp" => Protocol::Icmp,
                "all" => Protocol::All,
                _ => Protocol::Tcp,
            };
            let port = match port.get().trim().parse::<u16>() {
                Ok(port) => Some(port),
                Err(_) if matches!(protocol, Protocol::Tcp | Protocol::Udp) => {
                    return Some(Err("Port: a whole number from 0 to 65535".to_string()));
                }
                Err(_) => None,
            };
            Some(state_editor.with(|editor| {
                let design = editor.design();
                let source = parse_place(design, &from_text).map_err(|e| format!("From: {e}"))?;
                let destination = parse_place(design, &to_text).map_err(|e| format!("To: {e}"))?;
                Ok(Reachability::new(design).explain(
                    &source,
                    &destination,
                    Traffic {
                        protocol,
                        port: port.filter(|_| matches!(protocol, Protocol::Tcp | Protocol::Udp)),
                    },
                ))
            }))
        });
        let on_path = Memo::new(move |_| {
            answer.with(|answer| match answer {
                Some(Ok(answer)) => answer.object_ids(),
                _ => Vec::new(),
            })
        });
        let blocking = Memo::new(move |_| {
            answer.with(|answer| match answer {
                Some(Ok(answer)) => answer
                    .hops
                    .iter()
                    .find(|hop| hop.verdict == Verdict::Block)
                    .and_then(|hop| hop.object_id.clone()),
                _ => None,
            })
        });
        PathQuestion {
            picking,
            from,
            to,
            protocol,
            port,
            answer,
            on_path,
            blocking,
        }
    }
}

/// What clicking an object means in the Path tool: subnets and workloads are themselves, an
/// internet gateway is the internet, an endpoint its service, a customer gateway its network.
pub fn path_place_of(design: &shared::Design, object_id: &str) -> Option<String> {
    match design.kind_of(object_id)? {
        ObjectKind::Subnet | ObjectKind::Workload | ObjectKind::CustomerGateway => {
            Some(object_id.to_string())
        }
        ObjectKind::InternetGateway => Some("internet".to_string()),
        ObjectKind::Endpoint => design
            .endpoints
            .iter()
            .find(|e| e.id == object_id)
            .map(|e| e.service.clone()),
        _ => None,
    }
}

/// A canvas click while picking: the first sets the source, the second the destination.
pub fn pick_for_path(state: &AppState, object_id: &str) {
    let question = state.path;
    let Some(place) = state
        .editor
        .with_untracked(|editor| path_place_of(editor.design(), object_id))
    else {
        state.notice.set(Some(format!(
            "{object_id} is not a place traffic starts or ends: pick a subnet, a workload, an internet gateway (the internet), an endpoint (its service) or a customer gateway"
        )));
        return;
    };
    state.notice.set(None);
    let from_is_set = !question.from.get_untracked().is_empty();
    let to_is_set = !question.to.get_untracked().is_empty();
    if !from_is_set || to_is_set {
        question.from.set(place);
        question.to.set(String::new());
    } else {
        question.to.set(place);
    }
}

#[component]
pub fn PathPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let question = state.path;
    let answer_view = move || {
        question.answer.with(|answer| match answer {
            None => view! {
                <p class="muted">"Pick a source and a destination on the canvas (Path tool), or type them: a subnet or workload id, internet, s3, sagemaker.api, a customer gateway id or an address."</p>
            }
            .into_any(),
            Some(Err(message)) => view! { <p class="path-error" role="alert">{message.clone()}</p> }.into_any(),
            Some(Ok(answer)) => {
                let verdict = if answer.reachable {
                    format!(
                        "Reachable via {}",
                        answer.exit.as_ref().map_or("?", reachability::exit_label)
                    )
                } else {
                    "Blocked".to_string()
                };
                let hops = answer
                    .hops
                    .iter()
                    .map(|hop| {
                        let class = match hop.verdict {
                            Verdict::Pass => "hop pass",
                            Verdict::Block => "hop block",
                            Verdict::Skip => "hop skip",
                        };
                        view! {
                            <li class=class data-object=hop.object_id.clone().unwrap_or_default()>
                                <strong>{hop.kind.label()}</strong>" "{hop.detail.clone()}
                            </li>
                        }
                    })
                    .collect_view();
                let blocked = answer.blocked.as_ref().map(|blocked| {
                    view! {
                        <p class="path-blocked" data-code=blocked.code>
                            <code>{blocked.code}</code>" "{blocked.message.clone()}<br />
                            <small>{blocked.hint.clone()}</small>
                        </p>
                    }
                });
                view! {
                    <p id="path-verdict" class:reachable=answer.reachable class:blocked=!answer.reachable>
                        {format!("{} → {} ({}): {verdict}", answer.from, answer.to, answer.traffic)}
                    </p>
                    {blocked}
                    <ol class="hops">{hops}</ol>
                }
                .into_any()
            }
        })
    };
    view! {
        <section aria-label="Path" id="path-panel">
            <h2>"Path"</h2>
            <div class="path-inputs">
                <label>"From"<input aria-label="Path from" prop:value=move || question.from.get()
                    on:input=move |event| question.from.set(event_target_value(&event)) /></label>
                <label>"To"<input aria-label="Path to" prop:value=move || question.to.get()
                    on:input=move |event| question.to.set(event_target_value(&event)) /></label>
                <label>"Protocol"<select aria-label="Path protocol"
                    on:change=move |event| question.protocol.set(event_target_value(&event))>
                    {["tcp", "udp", "icmp", "all"].into_iter().map(|p| view! {
                        <option value=p selected=move || question.protocol.get() == p>{p}</option>
                    }).collect_view()}
                </select></label>
                <label>"Port"<input aria-label="Path port" size="6" prop:value=move || question.port.get()
                    on:input=move |event| question.port.set(event_target_value(&event)) /></label>
            </div>
            {answer_view}
        </section>
    }
}

#[component]
pub fn MatrixPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let table = move || {
        if !open.get() {
            return None;
        }
        Some(state.editor.with(|editor| {
            let design = editor.design();
            let columns: Vec<String> = reachability::matrix_columns(design)
                .into_iter()
                .map(|(name, _, _)| name)
                .collect();
            let rows = reachability::reachability_matrix(design);
            view! {
                <table class="matrix" id="matrix">
                    <thead><tr><th>"subnet"</th>{columns.into_iter().map(|c| view! { <th>{c}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! {
                            <tr data-subnet=row.subnet.clone()>
                                <th>{row.subnet.clone()}</th>
                                {row.cells.into_iter().map(|cell| {
                                    let text = if cell.reachable {
                                        format!("✓ {}", cell.via.unwrap_or_default())
                                    } else {
                                        format!("✗ {}", cell.code.unwrap_or_default())
                                    };
                                    view! { <td class:yes=cell.reachable class:no=!cell.reachable data-column=cell.column>{text}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        }))
    };
    view! {
        <section aria-label="Reachability matrix" id="matrix-panel">
            <details on:toggle=move |event| {
                let element: web_sys::HtmlDetailsElement = wasm_bindgen::JsCast::unchecked_into(event_target::<web_sys::Element>(&event));
                open.set(element.open());
            }>
                <summary>"Reachability matrix"</summary>
                {table}
            </details>
        </section>
    }
}

#[component]
pub fn CostPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let estimate = Memo::new(move |_| state.editor.with(|editor| cost::estimate(editor.design())));
    view! {
        <section aria-label="Cost" id="cost-panel">
            <h2>"Cost "<span id="cost-total">{move || estimate.with(|e| format_money(e.total_monthly, false))}</span>"/month"</h2>
            {move || estimate.with(|estimate| {
                let note = (!estimate.regional_prices).then(|| view! {
                    <p class="muted">{format!("No price table for {}: {} prices used", estimate.region, estimate.prices.region)}</p>
                });
                let fixed = estimate.fixed.iter().map(|line| view! {
                    <li>{format!("{}: {}", line.item, format_money(line.monthly, false))}</li>
                }).collect_view();
                let flows = estimate.flows.iter().map(|flow| view! {
                    <li class:unpriced=!flow.reachable>{format!("{} → {} ({} GB): {}: {}", flow.from, flow.to, flow.gb_per_month, flow.path, format_money(flow.monthly, false))}</li>
                }).collect_view();
                let suggestions = estimate.suggestions.iter().map(|suggestion| {
                    let command = suggestion.command.clone();
                    let message = suggestion.message.clone();
                    view! {
                        <li class="suggestion" data-code=suggestion.code>
                            {message.clone()}" "
                            <button aria-label=format!("Apply: {message}") on:click=move |_| {
                                state.apply(command.clone());
                            }>"Apply"</button>
                        </li>
                    }
                }).collect_view();
                view! {
                    {note}
                    <p class="muted">{format!("Fixed {} · flows {} · prices {} as of {}", format_money(estimate.fixed_monthly, false), format_money(estimate.flows_monthly, false), estimate.prices.region, estimate.prices.as_of)}</p>
                    <ul class="cost-lines">{fixed}</ul>
                    <ul class="cost-flows">{flows}</ul>
                    <ul class="suggestions" id="suggestions">{suggestions}</ul>
                }
            })}
        </section>
    }
}
