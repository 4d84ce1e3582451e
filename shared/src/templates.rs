//! Built-in templates: the seed article's four ML use cases, done right. Each is a plain design
//! document (`shared/templates/*.json`), embedded at build time, and validates with no
//! diagnostic at all. `shared/fixtures/seed-as-written/` holds the same use cases as the
//! article's CLI snippets actually build them, with the mistakes Moat must catch.

use crate::model::Design;
use crate::spec::{self, SpecError};

/// A built-in template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Short stable name: `moat template show NAME`.
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The design document (JSON spec).
    pub document: &'static str,
}

pub const TEMPLATES: &[Template] = &[
    Template {
        name: "mvp",
        title: "MVP and rapid experimentation",
        description: "A SageMaker notebook on a public subnet with an internet gateway; model and feature stores on S3 through a free gateway endpoint.",
        document: include_str!("../templates/mvp.json"),
    },
    Template {
        name: "tabular-vpn",
        title: "Tabular data pipeline",
        description: "Batch workers in a private subnet; S3 and DynamoDB through gateway endpoints; a site-to-site VPN to the data center.",
        document: include_str!("../templates/tabular-vpn.json"),
    },
    Template {
        name: "multimodal-endpoints",
        title: "Multi-modal training",
        description: "SageMaker in a private subnet: a NAT gateway for small external pulls, interface endpoints for SageMaker API/runtime and Rekognition, S3 through a gateway endpoint.",
        document: include_str!("../templates/multimodal-endpoints.json"),
    },
    Template {
        name: "llm-training-efa",
        title: "Distributed LLM training",
        description: "Four p4d.24xlarge EFA nodes in one subnet and a cluster placement group, with a security group that allows all traffic to and from itself.",
        document: include_str!("../templates/llm-training-efa.json"),
    },
];

/// The template named `name`, if any.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|template| template.name == name)
}

impl Template {
    /// The template as a design.
    pub fn design(&self) -> Result<Design, SpecError> {
        spec::load_design(self.document)
    }
}

/// For tests: every template's design and a generated network of `generated_subnets`
/// subnets, the designs several modules' tests walk.
#[cfg(test)]
pub(crate) fn sample_designs(generated_subnets: usize) -> Vec<Design> {
    let mut designs: Vec<Design> = TEMPLATES
        .iter()
        .map(|template| template.design().expect("every template loads"))
        .collect();
    designs.push(crate::generate::generated_design(generated_subnets));
    designs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    #[test]
    fn every_template_loads_and_validates_with_no_error_or_warning_and_only_the_infos_it_should() {
        // No template records flow logs: the destination is the user's own bucket or log
        // group. No template scopes its endpoints' policies: the buckets, tables and models
        // are the user's own. Each one's workloads are started by SageMaker or by hand, not by Moat.
        let expected_infos: [(&str, &[(&str, &str)]); 4] = [
            (
                "mvp",
                &[
                    ("endpoint.policy-full-access", "vpce-s3"),
                    ("sg.unattached", "sg-notebook"),
                    ("subnet.public-ip-on-launch", "subnet-public-a"),
                    ("vpc.flow-logs-off", "vpc-mvp"),
                ],
            ),
            (
                "tabular-vpn",
                &[
                    ("endpoint.policy-full-access", "vpce-dynamodb"),
                    ("endpoint.policy-full-access", "vpce-s3"),
                    ("sg.unattached", "sg-batch"),
                    ("vpc.flow-logs-off", "vpc-tabular"),
                ],
            ),
            (
                "multimodal-endpoints",
                &[
                    ("endpoint.policy-full-access", "vpce-rekognition"),
                    ("endpoint.policy-full-access", "vpce-s3"),
                    ("endpoint.policy-full-access", "vpce-sagemaker-api"),
                    ("endpoint.policy-full-access", "vpce-sagemaker-runtime"),
                    ("sg.unattached", "sg-training"),
                    ("vpc.flow-logs-off", "vpc-multimodal"),
                ],
            ),
            (
                "llm-training-efa",
                &[
                    ("endpoint.policy-full-access", "vpce-s3"),
                    ("sg.unattached", "sg-efa"),
                    ("vpc.flow-logs-off", "vpc-llm"),
                ],
            ),
        ];
        for (name, expected) in expected_infos {
            let template = TEMPLATES.iter().find(|t| t.name == name).unwrap();
            let design = template
                .design()
                .unwrap_or_else(|error| panic!("{}: {error}", template.name));
            let diagnostics = validate(&design);
            let mut found: Vec<(&str, &str)> = diagnostics
                .iter()
                .map(|d| {
                    assert_eq!(d.severity, crate::Severity::Info, "{name}: {d:#?}");
                    (d.code.as_str(), d.objects[0].as_str())
                })
                .collect();
            found.sort_unstable();
            assert_eq!(found, expected, "{name}");
        }
    }

    fn seed_codes(document: &str) -> Vec<String> {
        let design = spec::load_design(document).expect("fixture loads");
        let mut codes: Vec<String> = validate(&design)
            .into_iter()
            .filter(|d| d.severity != crate::Severity::Info)
            .map(|d| d.code)
            .collect();
        codes.sort();
        codes
    }

    #[test]
    fn seed_use_case_1_as_written_has_a_public_subnet_without_an_internet_route() {
        assert_eq!(
            seed_codes(include_str!("../fixtures/seed-as-written/mvp.json")),
            ["subnet.intent-mismatch"]
        );
    }

    #[test]
    fn seed_use_case_2_as_written_names_gateway_services_that_were_never_set() {
        assert_eq!(
            seed_codes(include_str!("../fixtures/seed-as-written/tabular-vpn.json")),
            ["endpoint.gateway-service", "endpoint.gateway-service"]
        );
    }

    #[test]
    fn seed_use_case_3_as_written_has_a_private_nat_a_missing_group_and_dns_off() {
        assert_eq!(
            seed_codes(include_str!(
                "../fixtures/seed-as-written/multimodal-endpoints.json"
            )),
            [
                "endpoint.private-dns-needs-vpc-dns",
                "endpoint.private-dns-needs-vpc-dns",
                "endpoint.private-dns-needs-vpc-dns",
                "ml.private-training-needs-endpoints",
                "route.nat-not-public",
                "sg.unknown-reference",
                "sg.unknown-reference",
                "sg.unknown-reference",
                "subnet.intent-mismatch",
                // The NAT's public subnet is use case 1's, made with --map-public-ip-on-launch.
                "subnet.public-ip-on-launch",
            ]
        );
    }

    #[test]
    fn seed_use_case_4_as_written_uses_the_region_as_az_reuses_a_block_and_lacks_the_self_rule() {
        assert_eq!(
            seed_codes(include_str!(
                "../fixtures/seed-as-written/llm-training-efa.json"
            )),
            ["sg.efa-self-rule", "subnet.az-unknown", "subnet.overlap"]
        );
    }

    #[test]
    fn template_names_are_unique_and_findable() {
        for listed in TEMPLATES {
            assert_eq!(
                template(listed.name).map(|found| found.title),
                Some(listed.title)
            );
        }
        assert!(template("nope").is_none());
    }
}
