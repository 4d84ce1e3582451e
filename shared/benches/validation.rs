//! Validation speed: a full `validate` of generated designs (run by `cargo xtask bench`).

use criterion::{Criterion, criterion_group, criterion_main};
use shared::generate::generated_design;

fn full_validation(criterion: &mut Criterion) {
    for subnet_count in [200usize, 2_000, 20_000] {
        let design = generated_design(subnet_count);
        let mut group = criterion.benchmark_group("validate");
        if subnet_count >= 20_000 {
            group.sample_size(20);
        }
        group.bench_function(format!("{subnet_count}_subnets"), |bencher| {
            bencher.iter(|| shared::validate(std::hint::black_box(&design)))
        });
        group.finish();
    }
}

criterion_group!(benches, full_validation);
criterion_main!(benches);
