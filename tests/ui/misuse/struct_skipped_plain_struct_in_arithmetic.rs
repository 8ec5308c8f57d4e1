//! A skipped field of a type that does not derive `Differentiable`
//! (`Config`, cloned whole into tangents) holding a float read in
//! arithmetic: the tangent's copy of `eps` would be read as its
//! derivative, so this does not compile; deriving `Differentiable` on
//! `Config` (the field kept skipped) or passing `eps` outside `wrt(..)`
//! does.
use ad::differentiate;

#[derive(Clone)]
struct Config {
    eps: f64,
}

#[derive(Clone, ad::Differentiable)]
struct P {
    w: f64,
    #[ad(skip)]
    cfg: Config,
}

#[differentiate(wrt(p))]
fn f(p: &P, x: f64) -> f64 {
    p.cfg.eps * p.w * x
}

fn main() {}
