//! `enum_with_all!`: a fieldless enum with its `ALL` array generated from the same list, so a
//! new variant is in `ALL` by construction (no hand-kept array to forget).

/// Declares a fieldless enum and `impl { pub const ALL: [Self; N] }` listing every variant in
/// declaration order.
macro_rules! enum_with_all {
    (
        $(#[$meta:meta])*
        $visibility:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $visibility enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order (generated: never kept by hand).
            pub const ALL: [$name; [$( stringify!($variant) ),+].len()] = [$( $name::$variant ),+];
        }
    };
}

pub(crate) use enum_with_all;

#[cfg(test)]
mod tests {
    enum_with_all! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Sample {
            /// The first.
            First,
            Second,
            Third,
        }
    }

    #[test]
    fn all_lists_every_variant_in_order() {
        assert_eq!(Sample::ALL, [Sample::First, Sample::Second, Sample::Third]);
    }
}
