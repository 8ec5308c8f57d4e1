use ad::differentiate;

// `skip` after `scan`: the state must see every item, in order.
#[differentiate]
fn skip_after_scan(x: &[f64]) -> f64 {
    x.iter().scan(0.0, |s, &v| { *s += v; Some(*s) }).skip(1).sum::<f64>()
}

// `break` in a `for` over `flatten` would go on with the next row.
#[differentiate]
fn break_in_flatten(m: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for v in m.iter().flatten() {
        if *v > 1.0 {
            break;
        }
        s += v;
    }
    s
}

// `cycle()` never ends.
#[differentiate]
fn endless(x: &[f64]) -> f64 {
    x.iter().cycle().map(|v| v * v).sum::<f64>()
}

// A `filter_map` closure that is not `Some`/`None`.
#[differentiate(wrt(x))]
fn filter_map_option(x: &[f64], o: &[f64]) -> f64 {
    x.iter().filter_map(|&v| o.first().map(|c| c * v)).sum::<f64>()
}

// A `take_while` part in a `chain`: its `break` would end the whole chain.
#[differentiate]
fn chain_take_while(x: &[f64]) -> f64 {
    x.iter().take_while(|v| **v < 1.0).chain(x.iter()).sum::<f64>()
}

// `last` after `filter`: the position is not the last item's.
#[differentiate]
fn last_after_filter(x: &[f64]) -> f64 {
    *x.iter().filter(|v| **v > 0.0).last().unwrap()
}

// `zip` with a filtered chain: its `filter` would drop the pair.
#[differentiate]
fn zip_filtered(x: &[f64], w: &[f64]) -> f64 {
    x.iter().zip(w.iter().filter(|v| **v > 0.0)).map(|(a, b)| a * b).sum::<f64>()
}

fn main() {}
