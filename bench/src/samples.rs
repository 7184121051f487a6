//! The runs of each action and query, and their medians.
use std::collections::BTreeMap;

/// One row of a table: an action or query, measured at one size.
pub struct Row {
    pub name: &'static str,
    /// Median pages an action wrote; `None` for reads, which write none.
    pub written_pages: Option<usize>,
    /// `None` when the message or read failed (for example out of gas).
    pub gas: Option<f64>,
    pub floor: f64,
    /// The seed's median gas and written pages for the same payloads; `None` for what
    /// the seed does not have.
    pub seed: Option<(f64, usize)>,
}

/// Samples by row, in the order rows were first added.
#[derive(Default)]
pub struct Samples {
    order: Vec<&'static str>,
    rows: BTreeMap<&'static str, RowSamples>,
}

#[derive(Default)]
struct RowSamples {
    gas: Vec<Option<u64>>,
    floor: Vec<u64>,
    written_pages: Vec<usize>,
    seed: Vec<u64>,
    seed_pages: Vec<usize>,
}

impl Samples {
    pub fn add(&mut self, name: &'static str, gas: Option<u64>, floor: u64, pages: Option<usize>) {
        if !self.rows.contains_key(name) {
            self.order.push(name);
        }
        let row = self.rows.entry(name).or_default();
        row.gas.push(gas);
        row.floor.push(floor);
        row.written_pages.extend(pages);
    }

    pub fn add_seed(&mut self, name: &'static str, seed: Option<(u64, usize)>) {
        let row = self.rows.get_mut(name).expect("added first");
        if let Some((gas, pages)) = seed {
            row.seed.push(gas);
            row.seed_pages.push(pages);
        }
    }

    pub fn medians(&self) -> Vec<Row> {
        self.order
            .iter()
            .map(|&name| {
                let row = &self.rows[name];
                let gas: Option<Vec<u64>> = row.gas.iter().copied().collect();
                Row {
                    name,
                    written_pages: (!row.written_pages.is_empty())
                        .then(|| median_count(&row.written_pages)),
                    gas: gas.map(|gas| median(&gas)),
                    floor: median(&row.floor),
                    seed: (!row.seed.is_empty())
                        .then(|| (median(&row.seed), median_count(&row.seed_pages))),
                }
            })
            .collect()
    }
}

fn median(values: &[u64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2] as f64 / 1e9
}

fn median_count(counts: &[usize]) -> usize {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}
