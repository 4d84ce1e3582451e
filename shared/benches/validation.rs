//! Validation speed: a full `validate` of generated designs (run by `cargo xtask bench`).

use criterion::{Criterion, criterion_group, criterion_main};
use shared::model::{Design, Subnet, SubnetTier, Vpc};

/// A design with `subnet_count` /24 subnets spread over VPCs of 250 subnets each.
fn generated_design(subnet_count: usize) -> Design {
    let mut design = Design::new("bench", "us-east-1");
    let vpc_count = subnet_count.div_ceil(250);
    for vpc_number in 0..vpc_count {
        design.vpcs.push(Vpc {
            id: format!("vpc-{vpc_number}"),
            name: String::new(),
            cidr_blocks: vec![format!("10.{vpc_number}.0.0/16")],
            enable_dns_support: true,
            enable_dns_hostnames: true,
        });
    }
    for subnet_number in 0..subnet_count {
        let vpc_number = subnet_number / 250;
        design.subnets.push(Subnet {
            id: format!("subnet-{subnet_number}"),
            vpc: format!("vpc-{vpc_number}"),
            availability_zone: "us-east-1a".into(),
            cidr: format!("10.{vpc_number}.{}.0/24", subnet_number % 250),
            tier: SubnetTier::Private,
            map_public_ip_on_launch: false,
        });
    }
    design
}

fn full_validation(criterion: &mut Criterion) {
    for subnet_count in [200usize, 2_000, 20_000] {
        let design = generated_design(subnet_count);
        assert!(shared::validate(&design).is_empty());
        criterion.bench_function(&format!("validate/{subnet_count}_subnets"), |bencher| {
            bencher.iter(|| shared::validate(std::hint::black_box(&design)))
        });
    }
}

criterion_group!(benches, full_validation);
criterion_main!(benches);
