//! What the `mandel` CLI and the benches share besides the registry (`mandel_registry`): writing
//! files whole ([`atomic`]) and turning counts into `.npy` and PNG files ([`image`]).

pub mod atomic;
pub mod image;
