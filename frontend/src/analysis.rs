//! The analysis panels: the Path tool (a source and a destination picked on the canvas or typed;
//! the answer hop by hop, the path marked on the canvas), the reachability matrix, and the live
//! cost estimate whose suggestions apply as one undoable command. All answers come from
//! `shared::reachability` and `shared::cost`, the same code the CLI runs.

use leptos::prelude::*;
use shared::cost::{self, format_money};
use shared::reachability::{self, Verdict};

use crate::state::AppState;

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
                let compute = &estimate.compute;
                let compute_lines = compute.lines.iter().map(|line| view! {
                    <li data-id=line.object_ids.first().cloned().unwrap_or_default()>{format!("{} × ${:.4}/h: {}", line.item, line.unit_price, format_money(line.monthly, false))}</li>
                }).collect_view();
                let compute_notes = compute.notes.iter().map(|note| view! { <li class="note">{note.clone()}</li> }).collect_view();
                let unpriced = compute.unpriced.iter().map(|gap| view! {
                    <li class="unpriced" data-id=gap.workload.clone()>{format!("{}: not priced: {}", gap.workload, gap.reason)}</li>
                }).collect_view();
                view! {
                    {note}
                    <p class="muted">{format!("Network: fixed {} · flows {} · prices {} as of {}", format_money(estimate.fixed_monthly, false), format_money(estimate.flows_monthly, false), estimate.prices.region, estimate.prices.as_of)}</p>
                    <ul class="cost-lines">{fixed}</ul>
                    <ul class="cost-flows">{flows}</ul>
                    <h3>"Compute "<span id="compute-total">{format_money(compute.monthly, false)}</span>"/month"</h3>
                    <p class="muted">{format!("On-demand, {} as of {}, apart from the network{}", compute.prices_region, compute.as_of, if compute.unpriced.is_empty() { String::new() } else { format!("; {} workload(s) not priced", compute.unpriced.len()) })}</p>
                    <ul class="compute-lines" id="compute-lines">{compute_lines}{unpriced}{compute_notes}</ul>
                    <ul class="suggestions" id="suggestions">{suggestions}</ul>
                }
            })}
        </section>
    }
}
