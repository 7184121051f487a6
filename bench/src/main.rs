//! Gas of every w3bstreaming action and state query at growing sizes, on gtest.
//!
//! For each workload shape (`accounts::Shape`) and each size N it deploys the program,
//! a floor program (decodes the same payload and replies, nothing else) and the seed
//! (the original program, `bench/seed`), fills the program and the seed through the
//! same messages with N users, each with a profile and one stream, following others
//! and (ours only: the seed has no marks) marking a stream as the shape says, then
//! measures `SAMPLES` runs of every action and query and prints medians in Ggas (1e9
//! gas), each also as a ratio to the floor, and ours beside the seed for the seed's
//! actions. It first prints what every message pays before the program's own work:
//! the node's charge for any message and the charge for each program's code.
//!
//! Usage: `scripts/bench.sh [--shape spread|audience] [N ...]` (default: both shapes,
//! sizes 0 100 1000 10000).
mod accounts;
mod base_cost;
mod fixture;
mod probe;
mod samples;
mod workload;

use accounts::Shape;
use std::collections::BTreeMap;
use workload::{Measured, Workload};

const DEFAULT_SIZES: [usize; 4] = [0, 100, 1_000, 10_000];

fn main() {
    probe::install();
    let mut shapes = Shape::ALL.to_vec();
    let mut sizes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--shape" {
            let name = args.next().expect("--shape names a shape");
            let shape = Shape::ALL.into_iter().find(|shape| shape.name() == name);
            shapes = vec![shape.expect("the shapes are spread and audience")];
        } else {
            sizes.push(arg.parse::<usize>().expect("sizes are numbers"));
        }
    }
    let sizes = if sizes.is_empty() {
        DEFAULT_SIZES.to_vec()
    } else {
        sizes
    };

    print_base_cost();
    for shape in shapes {
        let mut columns = Vec::new();
        for &n in &sizes {
            let started = std::time::Instant::now();
            let workload = Workload::filled(n, shape);
            let filled = started.elapsed();
            let measured = workload.measure();
            eprintln!(
                "{} N={n}: init {:.3} Ggas, filled with {} messages in {:.0?}, measured in {:.0?}",
                shape.name(),
                workload.init_gas() as f64 / 1e9,
                workload.messages_sent(),
                filled,
                started.elapsed() - filled
            );
            columns.push((n, measured));
        }
        println!();
        println!("## Workload `{}`: {}", shape.name(), shape.describe());
        print_table(&columns);
        print_beside_seed(&columns);
    }
}

/// What every message pays before any work of the program's own, in Ggas.
fn print_base_cost() {
    println!(
        "Any message, to an empty program: {:.3} Ggas",
        base_cost::empty_message_gas() as f64 / 1e9
    );
    println!();
    println!("| code | .opt.wasm bytes | instrumented bytes | charged each message |");
    println!("|---|---:|---:|---:|");
    for (name, wasm) in [
        ("w3bstreaming", w3bstreaming::WASM_BINARY_OPT),
        ("the seed", w3bstreaming_seed::WASM_BINARY_OPT),
        ("the floor", w3bstreaming_floor::WASM_BINARY_OPT),
    ] {
        let charge = base_cost::code_charge(wasm);
        println!(
            "| {name} | {} | {} | {:.3} Ggas |",
            charge.original_bytes,
            charge.instrumented_bytes,
            charge.gas as f64 / 1e9
        );
    }
}

/// Ours beside the seed for the actions the seed has: `ours/seed = ratio`.
fn print_beside_seed(columns: &[(usize, Measured)]) {
    let sizes = size_labels(columns);
    println!();
    println!(
        "Beside the seed (the original program on gear 2.0): ours/seed Ggas = ratio [pages written by ours/the seed]"
    );
    println!();
    println!("| | {} |", sizes.join(" | "));
    println!("|---|{}", "---:|".repeat(sizes.len()));
    let names = columns[0].1.rows.iter().filter(|row| row.seed.is_some());
    for name in names.map(|row| row.name) {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, measured)| {
                let row = measured.rows.iter().find(|row| row.name == name);
                match row.and_then(|row| Some((row.gas?, row.written_pages?, row.seed?))) {
                    Some((ours, pages, (seed, seed_pages))) => format!(
                        "{ours:.3}/{seed:.3} = {:.2} [{pages}/{seed_pages}]",
                        ours / seed
                    ),
                    None => "fails".into(),
                }
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
}

/// The table's column heads: `N=<size>` for each size measured.
fn size_labels(columns: &[(usize, Measured)]) -> Vec<String> {
    columns.iter().map(|(n, _)| format!("N={n}")).collect()
}

fn print_table(columns: &[(usize, Measured)]) {
    type Cell = Option<(f64, f64, Option<usize>)>;
    let mut rows: BTreeMap<usize, (&str, Vec<Cell>)> = BTreeMap::new();
    for (column, (_, measured)) in columns.iter().enumerate() {
        for (order, row) in measured.rows.iter().enumerate() {
            let entry = rows
                .entry(order)
                .or_insert_with(|| (row.name, vec![None; columns.len()]));
            entry.1[column] = row.gas.map(|gas| (gas, gas / row.floor, row.written_pages));
        }
    }
    let sizes = size_labels(columns);
    let (first, last) = (&sizes[0], &sizes[sizes.len() - 1]);
    println!();
    println!(
        "Median Ggas (ratio to the floor program) [pages written]; last column: {last} / {first}"
    );
    println!();
    println!("| | {} | {last} / {first} |", sizes.join(" | "));
    println!("|---|{}---:|", "---:|".repeat(sizes.len()));
    for (name, cells) in rows.values() {
        let shown: Vec<String> = cells
            .iter()
            .map(|cell| match cell {
                Some((gas, ratio, Some(pages))) => format!("{gas:.3} ({ratio:.2}) [{pages}]"),
                Some((gas, ratio, None)) => format!("{gas:.3} ({ratio:.2})"),
                None => "fails".into(),
            })
            .collect();
        let growth = match (cells[0], cells[cells.len() - 1]) {
            (Some((low, ..)), Some((high, ..))) => format!("{:.2}", high / low),
            _ => "-".into(),
        };
        println!("| {name} | {} | {growth} |", shown.join(" | "));
    }
    println!();
    println!("Full reads (reply bytes):");
    for (n, measured) in columns {
        let sizes: Vec<String> = measured
            .full_reads
            .iter()
            .map(|(name, result)| match result {
                Ok(bytes) => format!("{name} {bytes} bytes"),
                Err(error) => format!("{name} fails: {error}"),
            })
            .collect();
        println!("  N={n}: {}", sizes.join(", "));
    }
}
