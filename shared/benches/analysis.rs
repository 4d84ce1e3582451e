//! Analysis speed: the full reachability matrix and the cost estimate of generated designs
//! (run by `cargo xtask bench`).

use criterion::{Criterion, criterion_group, criterion_main};
use shared::generate::generated_design;

fn matrix_and_cost(criterion: &mut Criterion) {
    for subnet_count in [200usize, 2_000] {
        let design = generated_design(subnet_count);
        let mut group = criterion.benchmark_group("analysis");
        group.bench_function(format!("matrix_{subnet_count}_subnets"), |bencher| {
            bencher
                .iter(|| shared::reachability::reachability_matrix(std::hint::black_box(&design)))
        });
        group.bench_function(format!("cost_{subnet_count}_subnets"), |bencher| {
            bencher.iter(|| shared::cost::estimate(std::hint::black_box(&design)))
        });
        group.finish();
    }
}

criterion_group!(benches, matrix_and_cost);
criterion_main!(benches);
