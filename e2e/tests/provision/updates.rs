//! Editing a deployed design: an apply changes only what differs. Subnets, routes, endpoints
//! and rules added and removed; a route's target changed in place; a subnet's CIDR changed,
//! which replaces it and what is in it (flagged in the plan). Launching EC2 workloads with
//! EFA interfaces in their placement group.

use std::collections::BTreeSet;

use shared::Design;
use shared::model::{Endpoint, EndpointType, Route, Subnet, SubnetTier};
use shared::plan::{Action, ResourceKey, desired_resources};

use crate::account::{self, difference};
use crate::{Harness, template};

fn keys(design: &Design) -> BTreeSet<ResourceKey> {
    desired_resources(design)
        .into_iter()
        .map(|r| r.key)
        .collect()
}

async fn apply_and_check(harness: &Harness, design_id: &str, design: &Design, deployment: &str) {
    let report = harness.apply(design_id, Some(design), deployment).await;
    assert!(report.succeeded(), "{}", report.summary());
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    let expected = account::expected(design);
    assert_eq!(
        account.lines,
        expected,
        "{}",
        difference(&expected, &account.lines)
    );
    assert!(
        account.duplicates().is_empty(),
        "{:?}",
        account.duplicates()
    );
    assert!(
        account.orphans(Some(design)).is_empty(),
        "{:?}",
        account.orphans(Some(design))
    );
    assert!(harness.plan(design_id, Some(design)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_apply_only_their_difference_and_replacements_are_flagged() {
    let harness = Harness::start(12).await.expect("moto and the fault layer");
    let id = "d-updates";
    let original = template("multimodal-endpoints");
    apply_and_check(&harness, id, &original, "dep-1").await;

    // Added: a subnet with its association, a route to on-premises through the IGW table,
    // a DynamoDB gateway endpoint. Removed: an interface endpoint.
    let mut added = original.clone();
    added.subnets.push(Subnet {
        tags: Default::default(),
        id: "subnet-data-a".into(),
        vpc: added.vpcs[0].id.clone(),
        availability_zone: "us-east-1a".into(),
        cidr: "10.0.200.0/24".into(),
        tier: SubnetTier::Private,
        map_public_ip_on_launch: false,
    });
    let private_table = added
        .route_tables
        .iter()
        .position(|t| t.id == "rt-private")
        .unwrap();
    added.route_tables[private_table]
        .subnets
        .push("subnet-data-a".into());
    let public_table = added
        .route_tables
        .iter()
        .position(|t| t.id == "rt-public")
        .unwrap();
    added.route_tables[public_table].routes.push(Route {
        destination: "198.51.100.0/24".into(),
        target: "igw-multimodal".into(),
    });
    added.endpoints.push(Endpoint {
        tags: Default::default(),
        id: "vpce-dynamodb".into(),
        vpc: added.vpcs[0].id.clone(),
        endpoint_type: EndpointType::Gateway,
        service: "dynamodb".into(),
        route_tables: vec!["rt-private".into()],
        subnets: Vec::new(),
        security_groups: Vec::new(),
        private_dns: false,
        policy: None,
    });
    let removed_endpoint = added
        .endpoints
        .iter()
        .position(|e| e.id == "vpce-rekognition")
        .unwrap();
    added.endpoints.remove(removed_endpoint);
    let plan = harness.plan(id, Some(&added)).await;
    let creates = keys(&added).difference(&keys(&original)).count();
    let deletes = keys(&original).difference(&keys(&added)).count();
    assert_eq!(
        creates, 4,
        "subnet, association, route, endpoint, and nothing else"
    );
    assert_eq!(plan.counts(), (creates, 0, 0, deletes), "{:#?}", plan.steps);
    apply_and_check(&harness, id, &added, "dep-2").await;

    // Changed in place: the private default route now leaves through the IGW.
    let mut rerouted = added.clone();
    rerouted.route_tables[private_table].routes[0].target = "igw-multimodal".into();
    let plan = harness.plan(id, Some(&rerouted)).await;
    assert_eq!(plan.counts(), (0, 1, 0, 0), "{:#?}", plan.steps);
    assert!(matches!(&plan.steps[0].action, Action::Update { changed } if changed == &["target"]));
    apply_and_check(&harness, id, &rerouted, "dep-3").await;

    // Replaced: the new subnet's CIDR; its association goes with it.
    let mut moved = rerouted.clone();
    let subnet = moved
        .subnets
        .iter()
        .position(|s| s.id == "subnet-data-a")
        .unwrap();
    moved.subnets[subnet].cidr = "10.0.201.0/24".into();
    let plan = harness.plan(id, Some(&moved)).await;
    let replaced: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Replace { .. }))
        .map(|s| s.key.to_string())
        .collect();
    assert_eq!(
        replaced,
        [
            "subnet subnet-data-a",
            "route_table_association subnet-data-a/route-table"
        ],
        "{:#?}",
        plan.steps
    );
    apply_and_check(&harness, id, &moved, "dep-4").await;

    // And back to the template: everything added goes, nothing else moves.
    let plan = harness.plan(id, Some(&original)).await;
    let (create, update, _, delete) = plan.counts();
    assert_eq!((update, delete), (1, 4), "{:#?}", plan.steps);
    assert_eq!(create, 1, "the removed endpoint comes back");
    apply_and_check(&harness, id, &original, "dep-5").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launched_workloads_get_efa_interfaces_in_their_placement_group() {
    let harness = Harness::start(13).await.expect("moto and the fault layer");
    let mut design = template("llm-training-efa");
    let workload = design
        .workloads
        .iter_mut()
        .find(|w| w.kind == shared::model::WorkloadKind::Ec2)
        .expect("an EC2 workload");
    workload.launch = true;
    workload.image_id = Some("ami-12c6146b".into());
    workload.count = 2;
    let placement_group = workload.placement_group.clone().expect("a placement group");
    let workload_id = workload.id.clone();
    let report = harness.apply("d-launch", Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let ec2 = harness.checker();
    let reservations = ec2
        .describe_instances()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:moat:design-id")
                .values("d-launch")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let instances: Vec<_> = reservations
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .collect();
    assert_eq!(instances.len(), 2, "count 2 → two instances");
    for instance in &instances {
        let logical = instance
            .tags()
            .iter()
            .find(|t| t.key() == Some("moat:logical-id"))
            .and_then(|t| t.value())
            .unwrap();
        assert!(logical.starts_with(&format!("{workload_id}/")), "{logical}");
        assert!(
            instance
                .subnet_id()
                .is_some_and(|s| s.starts_with("subnet-"))
        );
    }
    // What EC2 was asked (moto 5.2 drops the placement from its answer): each launch in the
    // design's placement group, with an EFA interface in the workload's subnet and groups.
    let launches = harness.layer.counts().run_instances;
    assert_eq!(
        launches.len(),
        2,
        "one call per instance (each with its own client token)"
    );
    for launch in &launches {
        assert_eq!(
            launch.get("Placement.GroupName").map(String::as_str),
            Some(format!("moat-d-launch-{placement_group}").as_str())
        );
        assert_eq!(
            launch
                .get("NetworkInterface.1.InterfaceType")
                .map(String::as_str),
            Some("efa")
        );
        assert!(
            launch.contains_key("NetworkInterface.1.SecurityGroupId.1"),
            "{launch:?}"
        );
        assert!(launch.contains_key("ClientToken"));
        // IMDSv2 only, with two hops for containers on the instance.
        assert_eq!(
            launch.get("MetadataOptions.HttpTokens").map(String::as_str),
            Some("required"),
            "{launch:?}"
        );
        assert_eq!(
            launch
                .get("MetadataOptions.HttpPutResponseHopLimit")
                .map(String::as_str),
            Some("2")
        );
    }
    // Again: nothing to do; destroy terminates them.
    assert!(harness.plan("d-launch", Some(&design)).await.is_empty());
    let destroyed = harness.apply("d-launch", None, "dep-2").await;
    assert!(destroyed.succeeded(), "{}", destroyed.summary());
    let account = account::read(&harness.checker(), &harness.layer, "d-launch").await;
    assert!(account.tagged.is_empty(), "{:?}", account.tagged);
}
