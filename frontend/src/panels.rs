//! Side panels: the inspector (fields of the selected object, with inline facts computed by
//! `shared`) and the diagnostics list (grouped by severity; a click selects the objects).

use leptos::prelude::*;
use shared::Severity;
use shared::cidr;
use shared::editor::Command;

use crate::app::AppState;

/// The facts shown under a CIDR field: range and usable addresses, or why it does not parse.
fn cidr_facts(text: &str) -> String {
    match cidr::parse_cidr(text) {
        Ok(parsed) => format!(
            "{} – {} · {} usable addresses",
            parsed.network.network(),
            parsed.network.broadcast(),
            cidr::usable_addresses(parsed.network)
        ),
        Err(error) => error.to_string(),
    }
}

#[component]
pub fn Inspector() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let selected = state.selection.get()?;
        let design = state.editor.with(|editor| editor.design().clone());
        let field_errors = move |object_id: &str| {
            state.diagnostics.with(|diagnostics| {
                diagnostics
                    .iter()
                    .any(|d| d.is_error() && d.objects.first().is_some_and(|id| id == object_id))
            })
        };
        if let Some(subnet) = design.subnet(&selected).cloned() {
            let id = subnet.id.clone();
            let id_for_cidr = id.clone();
            let id_for_az = id.clone();
            let id_for_free = id.clone();
            let vpc_id = subnet.vpc.clone();
            let next_free = move || {
                state.editor.with(|editor| {
                    let design = editor.design();
                    let used: Vec<_> = design
                        .subnets
                        .iter()
                        .filter(|other| other.vpc == vpc_id && other.id != id_for_free)
                        .filter_map(|other| {
                            cidr::parse_cidr(&other.cidr)
                                .ok()
                                .map(|parsed| parsed.network)
                        })
                        .collect();
                    let prefix = design
                        .subnet(&id_for_free)
                        .and_then(|s| cidr::parse_cidr(&s.cidr).ok())
                        .map(|parsed| parsed.network.prefix_len())
                        .unwrap_or(24);
                    design.vpc(&vpc_id).and_then(|vpc| {
                        vpc.cidr_blocks
                            .iter()
                            .filter_map(|text| cidr::parse_cidr(text).ok())
                            .find_map(|block| cidr::next_free_block(block.network, &used, prefix))
                    })
                })
            };
            let id_for_button = id.clone();
            let invalid = field_errors(&id);
            return Some(view! {
                <section aria-label="Inspector">
                    <h2>{format!("Subnet {id}")}</h2>
                    <label class="field">"CIDR block"
                        <input aria-label="CIDR block" aria-invalid=invalid.to_string() prop:value=subnet.cidr.clone()
                            on:input=move |event| { state.apply(Command::SetSubnetCidr { subnet_id: id_for_cidr.clone(), cidr: event_target_value(&event) }); } />
                        <small id="cidr-facts">{cidr_facts(&subnet.cidr)}</small>
                    </label>
                    <button on:click=move |_| {
                        if let Some(free) = next_free() {
                            state.apply(Command::SetSubnetCidr { subnet_id: id_for_button.clone(), cidr: free.to_string() });
                        }
                    }>"Next free block"</button>
                    <label class="field">"Availability zone"
                        <input aria-label="Availability zone" prop:value=subnet.availability_zone.clone()
                            on:change=move |event| { state.apply(Command::SetSubnetAvailabilityZone { subnet_id: id_for_az.clone(), availability_zone: event_target_value(&event) }); } />
                    </label>
                    <p><small>{format!("In VPC {} · {:?} tier", subnet.vpc, subnet.tier)}</small></p>
                </section>
            }.into_any());
        }
        let Some(vpc) = design.vpc(&selected).cloned() else {
            return read_only_facts(&design, &selected).map(|view| view.into_any());
        };
        let id = vpc.id.clone();
        let primary = vpc.cidr_blocks.first().cloned().unwrap_or_default();
        Some(view! {
            <section aria-label="Inspector">
                <h2>{format!("VPC {id}")}</h2>
                <label class="field">"CIDR block"
                    <input aria-label="CIDR block" prop:value=primary.clone()
                        on:input=move |event| { state.apply(Command::SetVpcPrimaryCidr { vpc_id: id.clone(), cidr: event_target_value(&event) }); } />
                    <small>{cidr_facts(&primary)}</small>
                </label>
            </section>
        }.into_any())
    }
}

#[component]
pub fn DiagnosticsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let group = move |severity: Severity| {
        let items = state.diagnostics.with(|diagnostics| {
            diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .cloned()
                .collect::<Vec<_>>()
        });
        let title = match severity {
            Severity::Error => format!("Errors ({})", items.len()),
            Severity::Warning => format!("Warnings ({})", items.len()),
        };
        view! {
            <h3>{title}</h3>
            {items.into_iter().map(|diagnostic| {
                let first = diagnostic.objects.first().cloned();
                view! {
                    <button class=format!("diagnostic {}", diagnostic.severity.as_str()) data-code=diagnostic.code.clone()
                        on:click=move |_| state.selection.set(first.clone())>
                        <code>{diagnostic.code.clone()}</code>" "{diagnostic.message.clone()}
                        <br /><small>{diagnostic.hint.clone()}</small>
                    </button>
                }
            }).collect_view()}
        }
    };
    view! {
        <section aria-label="Diagnostics" id="diagnostics">
            <h2>"Diagnostics"</h2>
            {move || group(Severity::Error)}
            {move || group(Severity::Warning)}
        </section>
    }
}

/// Objects the designer cannot edit yet: their fields, as the JSON spec has them.
fn read_only_facts(design: &shared::Design, object_id: &str) -> Option<impl IntoView + use<>> {
    let kind = design.kind_of(object_id)?;
    let document = serde_json::to_value(design).ok()?;
    let collection = match kind {
        shared::model::ObjectKind::InternetGateway => "internet_gateways",
        shared::model::ObjectKind::NatGateway => "nat_gateways",
        shared::model::ObjectKind::VpnGateway => "vpn_gateways",
        shared::model::ObjectKind::CustomerGateway => "customer_gateways",
        shared::model::ObjectKind::VpnConnection => "vpn_connections",
        shared::model::ObjectKind::RouteTable => "route_tables",
        shared::model::ObjectKind::Endpoint => "endpoints",
        shared::model::ObjectKind::SecurityGroup => "security_groups",
        shared::model::ObjectKind::NetworkAcl => "network_acls",
        shared::model::ObjectKind::PlacementGroup => "placement_groups",
        shared::model::ObjectKind::Workload => "workloads",
        shared::model::ObjectKind::Vpc | shared::model::ObjectKind::Subnet => return None,
    };
    let object = document[collection]
        .as_array()?
        .iter()
        .find(|o| o["id"] == object_id)?
        .clone();
    let text = serde_json::to_string_pretty(&object).unwrap_or_default();
    Some(view! {
        <section aria-label="Inspector">
            <h2>{format!("{} {object_id}", kind.label())}</h2>
            <pre class="facts">{text}</pre>
        </section>
    })
}
