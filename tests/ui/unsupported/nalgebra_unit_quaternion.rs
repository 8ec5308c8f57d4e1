use ad::differentiate;
use ad::nalgebra::{UnitQuaternion, Vector3};
#[differentiate]
fn rot_x(roll: f64, pitch: f64, yaw: f64) -> f64 {
    let q = UnitQuaternion::from_euler_angles(roll, pitch, yaw);
    (q * Vector3::new(1.0, 0.0, 0.0))[1]
}

fn main() {}
