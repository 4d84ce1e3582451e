//! What every kind of design object answers for, and the one list of kinds.
//!
//! [`design_kinds!`] is invoked once, in `model/mod.rs`, with one line per kind (its
//! `ObjectKind` variant, its collection in the document, its struct, its label and its id
//! prefix). From that line it generates the [`Design`](super::Design) document's collections,
//! `ObjectKind` with `ALL`, `label`, `collection` and `id_prefix`, the borrowed
//! [`ObjectRef`](super::ObjectRef) and `Design::{new, objects, object_ids, kind_of,
//! remove_object}`. Everything else a kind knows — where it lives, what it references, how it
//! is drawn and captioned, the path place it stands for — is its [`DesignObject`] impl,
//! beside its struct in `model/<kind>.rs`; `ObjectKind::{style, connect_rank}` and
//! `ObjectRef::{caption, path_place}` are generated from it.
//!
//! Invariant: no code outside this module lists the kinds by hand; code that must answer per
//! kind matches `ObjectKind` or `ObjectRef` exhaustively (no wildcard arm), so a new kind is
//! flagged by the compiler wherever it needs an answer.

use std::borrow::Cow;

use super::ObjectKind;

/// Where an object lives: on the canvas (region-wide: customer gateways, placement groups,
/// VPN connections, VPCs themselves), in a VPC, or in a subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container<'a> {
    Canvas,
    Vpc(&'a str),
    Subnet(&'a str),
}

/// One reference from an object to another object of the design, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The field holding it, as a path in the object: `vpc`, `subnets[2]`,
    /// `ingress[0].security_group`.
    pub field: Cow<'static, str>,
    /// The id it names.
    pub target: &'a str,
    /// The kinds it may name.
    pub kinds: &'static [ObjectKind],
}

impl<'a> Reference<'a> {
    /// A reference held in a plain field.
    pub fn field(field: &'static str, target: &'a str, kinds: &'static [ObjectKind]) -> Self {
        Reference {
            field: Cow::Borrowed(field),
            target,
            kinds,
        }
    }

    /// One reference per item of a list field (`subnets[0]`, `subnets[1]`, …).
    pub fn list(
        field: &'static str,
        targets: &'a [String],
        kinds: &'static [ObjectKind],
    ) -> impl Iterator<Item = Reference<'a>> {
        targets
            .iter()
            .enumerate()
            .map(move |(position, target)| Reference {
                field: Cow::Owned(format!("{field}[{position}]")),
                target,
                kinds,
            })
    }
}

/// How a kind looks in every diagram: its chip's colours and icon letters, and its role (the
/// class renderers group it by). Declared once per kind ([`DesignObject::STYLE`]), so the
/// canvas, the SVG export and draw.io show it alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindStyle {
    /// The chip's background.
    pub fill: &'static str,
    /// The chip's outline and the icon's colour.
    pub stroke: &'static str,
    /// The icon's letters.
    pub letters: &'static str,
    /// What it is in a diagram, and the class renderers group it by.
    pub role: ChipRole,
}

/// What a kind is in a diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChipRole {
    /// A box that holds others (VPCs, subnets).
    Container,
    Gateway,
    Endpoint,
    Workload,
    OnPremises,
    /// Route tables, security groups, ACLs, placement groups: what governs traffic.
    Control,
}

impl ChipRole {
    /// The class renderers draw it by.
    pub fn class(self) -> &'static str {
        match self {
            ChipRole::Container => "container",
            ChipRole::Gateway => "gateway",
            ChipRole::Endpoint => "endpoint",
            ChipRole::Workload => "workload",
            ChipRole::OnPremises => "onprem",
            ChipRole::Control => "control",
        }
    }
}

/// What every kind of design object answers for. Implemented beside each struct.
pub trait DesignObject {
    /// Whether a route can target an object of this kind, and as what.
    const ROUTE_TARGET: Option<super::RouteTarget>;

    /// How it is drawn in every diagram.
    const STYLE: KindStyle;

    /// Orders a pair being connected so each pair has one canonical direction: the lower
    /// rank comes first (a subnet before its route table, a security group before a
    /// workload). Kinds that start no connection of their own share the highest rank.
    const CONNECT_RANK: u8;

    /// What its chip reads above its id, when not its kind's label: a gateway's short name,
    /// an endpoint's service, a workload's instance type.
    fn caption(&self) -> Option<String> {
        None
    }

    /// The place traffic starts or ends at that a path question names it by (a subnet, a
    /// workload, `internet`, a service), if it is one.
    fn path_place(&self) -> Option<String> {
        None
    }

    /// Its icon in diagrams.net's AWS 2021 shapes (`mxgraph.aws4.`), as the style names it
    /// after that prefix: a plain shape (`nat_gateway`) or a resource icon
    /// (`resourceIcon;resIcon=mxgraph.aws4.sagemaker`); none for kinds the set has no icon for.
    fn drawio_icon(&self) -> Option<&'static str> {
        None
    }

    /// Its id, unique in the design.
    fn id(&self) -> &str;

    /// The user's tags on the resource it becomes (Moat's own are added apart).
    fn tags(&self) -> &super::Tags;

    /// The container AWS scopes it by (the VPC of a subnet, the subnet of a NAT gateway).
    fn container(&self) -> Container<'_>;

    /// The box it is drawn in on the canvas and moves with: its container unless the kind
    /// says otherwise (an interface endpoint is drawn in its first subnet).
    fn drawn_in(&self) -> Container<'_> {
        self.container()
    }

    /// Every id it names, with the field and the kinds allowed there. Validation checks them
    /// all in one place (`reference.unknown`; security groups: `sg.unknown-reference`).
    /// Route targets are not listed: [`crate::model::RouteTarget`] answers for them.
    fn references(&self) -> Vec<Reference<'_>>;

    /// Its own fields that hold ids of other objects (a string, or a list of them), with the
    /// kinds each may name: the inspector offers them as pickers. A completeness test checks
    /// that every top-level field [`DesignObject::references`] reports is declared here.
    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])];
}

/// The one list of design kinds; see the module docs. Each line:
/// `Variant: collection => Struct, "Label", "id-prefix";`
macro_rules! design_kinds {
    ($( $(#[$doc:meta])* $kind:ident : $collection:ident => $ty:ident, $label:literal, $prefix:literal; )+) => {
        /// A whole network design.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct Design {
            pub schema_version: u32,
            pub name: String,
            pub region: String,
            /// What the design is for, in the author's words (shown in the design settings).
            #[serde(default, skip_serializing_if = "String::is_empty")]
            pub description: String,
            $(
                $(#[$doc])*
                #[serde(default)]
                pub $collection: Vec<$ty>,
            )+
            /// Canvas positions and sizes by object id. Never affects meaning.
            #[serde(default)]
            pub layout: BTreeMap<String, LayoutBox>,
            /// Expected traffic, for cost estimates.
            #[serde(default)]
            pub flows: Vec<Flow>,
        }

        /// The kinds of object a design holds.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum ObjectKind {
            $( $kind, )+
        }

        impl ObjectKind {
            /// Every kind, in the document's order.
            pub const ALL: &'static [ObjectKind] = &[$( ObjectKind::$kind, )+];

            /// The name a person reads: "NAT gateway", "Subnet", …
            pub fn label(self) -> &'static str {
                match self {
                    $( ObjectKind::$kind => $label, )+
                }
            }

            /// The name of the design's collection holding this kind (`subnets`).
            pub fn collection(self) -> &'static str {
                match self {
                    $( ObjectKind::$kind => stringify!($collection), )+
                }
            }

            /// Whether a route can target this kind, and as what (its `DesignObject` says).
            pub fn route_target(self) -> Option<RouteTarget> {
                match self {
                    $( ObjectKind::$kind => <$ty as DesignObject>::ROUTE_TARGET, )+
                }
            }

            /// Its fields that hold ids of other objects, and the kinds each may name.
            pub fn reference_fields(self) -> &'static [(&'static str, &'static [ObjectKind])] {
                match self {
                    $( ObjectKind::$kind => <$ty as DesignObject>::REFERENCE_FIELDS, )+
                }
            }

            /// How it is drawn in every diagram (its `DesignObject` says).
            pub fn style(self) -> KindStyle {
                match self {
                    $( ObjectKind::$kind => <$ty as DesignObject>::STYLE, )+
                }
            }

            /// The rank that orders a pair being connected (its `DesignObject` says).
            pub fn connect_rank(self) -> u8 {
                match self {
                    $( ObjectKind::$kind => <$ty as DesignObject>::CONNECT_RANK, )+
                }
            }

            /// The prefix of generated ids for this kind (`subnet-3`).
            pub fn id_prefix(self) -> &'static str {
                match self {
                    $( ObjectKind::$kind => $prefix, )+
                }
            }
        }

        /// One object of a design, borrowed, whatever its kind.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum ObjectRef<'a> {
            $( $kind(&'a $ty), )+
        }

        impl<'a> ObjectRef<'a> {
            pub fn kind(self) -> ObjectKind {
                match self {
                    $( ObjectRef::$kind(_) => ObjectKind::$kind, )+
                }
            }

            pub fn id(self) -> &'a str {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::id(object), )+
                }
            }

            pub fn container(self) -> Container<'a> {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::container(object), )+
                }
            }

            pub fn drawn_in(self) -> Container<'a> {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::drawn_in(object), )+
                }
            }

            pub fn references(self) -> Vec<Reference<'a>> {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::references(object), )+
                }
            }

            /// What its chip reads: its caption, else its kind's label.
            pub fn caption(self) -> String {
                let caption = match self {
                    $( ObjectRef::$kind(object) => DesignObject::caption(object), )+
                };
                caption.unwrap_or_else(|| self.kind().label().to_string())
            }

            /// The object as its document writes it (the inspector edits this, one object
            /// serialised, not the whole design).
            pub fn to_value(self) -> serde_json::Value {
                let value = match self {
                    $( ObjectRef::$kind(object) => serde_json::to_value(object), )+
                };
                value.unwrap_or(serde_json::Value::Null)
            }

            /// Its icon in diagrams.net's AWS shapes, if the set has one (its `DesignObject` says).
            pub fn drawio_icon(self) -> Option<&'static str> {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::drawio_icon(object), )+
                }
            }

            pub fn path_place(self) -> Option<String> {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::path_place(object), )+
                }
            }

            pub fn tags(self) -> &'a Tags {
                match self {
                    $( ObjectRef::$kind(object) => DesignObject::tags(object), )+
                }
            }
        }

        impl Design {
            /// An empty design in a region.
            pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
                Design {
                    schema_version: CURRENT_SCHEMA_VERSION,
                    name: name.into(),
                    region: region.into(),
                    description: String::new(),
                    $( $collection: Vec::new(), )+
                    layout: BTreeMap::new(),
                    flows: Vec::new(),
                }
            }

            /// Every object of the design, collection by collection in the document's order.
            pub fn objects(&self) -> impl Iterator<Item = ObjectRef<'_>> + '_ {
                std::iter::empty()
                    $( .chain(self.$collection.iter().map(ObjectRef::$kind)) )+
            }

            /// How many objects the design holds.
            pub fn object_count(&self) -> usize {
                0 $( + self.$collection.len() )+
            }

            /// The kind of object an id names, if any (the first collection holding it).
            /// Looks through each collection in place (no list of every id is built per call).
            pub fn kind_of(&self, object_id: &str) -> Option<ObjectKind> {
                $(
                    if self.$collection.iter().any(|object| DesignObject::id(object) == object_id) {
                        return Some(ObjectKind::$kind);
                    }
                )+
                None
            }

            /// The object an id names, if any.
            pub fn object(&self, object_id: &str) -> Option<ObjectRef<'_>> {
                self.objects().find(|object| object.id() == object_id)
            }

            /// Removes every object with this id, whatever its kind (not its layout box, nor
            /// the references to it). Whether one was removed.
            pub fn remove_object(&mut self, object_id: &str) -> bool {
                let before = self.object_count();
                $( self.$collection.retain(|object| DesignObject::id(object) != object_id); )+
                self.object_count() != before
            }
        }
    };
}

pub(crate) use design_kinds;
