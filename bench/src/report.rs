//! A scenario's figures and targets, printed for people or as exactly one JSON object.

use serde_json::{Map, Value, json};

/// One target and whether it was met.
#[derive(Debug, Clone)]
pub struct Target {
    /// What is measured (`checks_per_s`).
    pub figure: String,
    /// The goal, e.g. `>= 2000`.
    pub goal: String,
    /// The measured value, formatted.
    pub actual: String,
    /// Met or not.
    pub met: bool,
    /// How far off, when missed (`5.2x too slow`).
    pub miss: Option<String>,
}

/// Figures in the order they were set, then targets.
#[derive(Debug, Clone)]
pub struct Report {
    figures: Vec<(String, Value, String)>,
    targets: Vec<Target>,
}

impl Report {
    /// A report for `scenario` with its sizes.
    pub fn new(scenario: &str, docs: usize, devices: usize) -> Report {
        let mut report = Report {
            figures: Vec::new(),
            targets: Vec::new(),
        };
        report.set("scenario", scenario, "");
        report.set("docs", docs, "checks");
        report.set("devices", devices, "");
        report
    }

    /// Sets a figure with a unit for the human form (`""` for none).
    pub fn set(&mut self, key: &str, value: impl Into<Value>, unit: &str) {
        let value = value.into();
        match self.figures.iter_mut().find(|(k, _, _)| k == key) {
            Some(slot) => {
                slot.1 = value;
                slot.2 = unit.to_owned();
            }
            None => self.figures.push((key.to_owned(), value, unit.to_owned())),
        }
    }

    /// Sets a float figure rounded to `decimals`.
    pub fn set_f(&mut self, key: &str, value: f64, decimals: i32, unit: &str) {
        let scale = 10f64.powi(decimals);
        self.set(key, (value * scale).round() / scale, unit);
    }

    /// Records "at least `goal`" for `figure`.
    pub fn at_least(&mut self, figure: &str, actual: f64, goal: f64) {
        let met = actual >= goal;
        let miss = (!met).then(|| format!("{:.2}x below", goal / actual.max(f64::MIN_POSITIVE)));
        self.push(figure, format!(">= {goal}"), actual, met, miss);
    }

    /// Records "at most `goal`" (or "below", when `strict`) for `figure`.
    pub fn at_most(&mut self, figure: &str, actual: f64, goal: f64, strict: bool) {
        let met = if strict {
            actual < goal
        } else {
            actual <= goal
        };
        let miss = (!met).then(|| format!("{:.2}x over", actual / goal));
        let op = if strict { "<" } else { "<=" };
        self.push(figure, format!("{op} {goal}"), actual, met, miss);
    }

    /// Records a yes/no target (`completed`).
    pub fn must(&mut self, figure: &str, met: bool) {
        self.targets.push(Target {
            figure: figure.to_owned(),
            goal: "true".into(),
            actual: met.to_string(),
            met,
            miss: None,
        });
    }

    fn push(&mut self, figure: &str, goal: String, actual: f64, met: bool, miss: Option<String>) {
        self.targets.push(Target {
            figure: figure.to_owned(),
            goal,
            actual: format!("{}", (actual * 1000.0).round() / 1000.0),
            met,
            miss,
        });
    }

    /// The JSON object: every figure as a key, plus `targets` and `targets_met`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (key, value, _) in &self.figures {
            map.insert(key.clone(), value.clone());
        }
        let targets: Vec<Value> = self
            .targets
            .iter()
            .map(|t| {
                json!({"figure": t.figure, "goal": t.goal, "actual": t.actual, "met": t.met, "miss": t.miss})
            })
            .collect();
        map.insert(
            "targets_met".into(),
            Value::Bool(self.targets.iter().all(|t| t.met)),
        );
        map.insert("targets".into(), Value::Array(targets));
        Value::Object(map)
    }

    /// Prints to stdout: one JSON object, or aligned lines for people.
    pub fn print(&self, as_json: bool) {
        if as_json {
            println!("{}", self.to_json());
            return;
        }
        let width = self
            .figures
            .iter()
            .map(|(k, _, _)| k.len())
            .max()
            .unwrap_or(0);
        for (key, value, unit) in &self.figures {
            let shown = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("{key:<width$}  {shown} {unit}");
        }
        if !self.targets.is_empty() {
            println!();
        }
        for t in &self.targets {
            let verdict = match (&t.miss, t.met) {
                (_, true) => "met".to_owned(),
                (Some(miss), false) => format!("MISSED ({miss})"),
                (None, false) => "MISSED".to_owned(),
            };
            println!("target {} {}: {} -> {verdict}", t.figure, t.goal, t.actual);
        }
    }
}
