//! Realistic, repeatable checks: every facility kind in rotation, Deir ez-Zor site names in
//! Arabic, values valid for each kind's built-in form, Arabic notes, and a few edits per check
//! written as the device's own actor, with resolution links set the way `fieldsync record`
//! sets them. Everything random comes from a seeded [`StdRng`], ids included, so a run with
//! the same seed builds the same documents.

use std::collections::BTreeMap;

use anyhow::Context as _;
use automerge::ActorId;
use fieldsync_schema::forms::FieldType;
use fieldsync_schema::{
    Author, Catalog, CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, FormField, FormRef,
    Forms, NewCheck, ObservedAt, Role, Site,
};
use fieldsync_sync_cli::store::{NewIdentity, Store, StoreError};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom as _;
use rand::{RngExt as _, SeedableRng as _};

/// Seed every scenario starts from (devices derive theirs from it).
pub const SEED: u64 = 0x00de_2026;

/// Documents written per store transaction while filling a device.
const INSERT_CHUNK: usize = 500;

/// Site names per kind (Arabic, English), in [`FacilityKind::ALL`] order, with the site id code.
const SITES: [(&str, &[(&str, &str)]); 8] = [
    (
        "BAK",
        &[
            ("مخبز الأمل", "Al-Amal bakery"),
            ("فرن الميادين الاحتياطي", "Mayadin reserve bakery"),
            ("مخبز البوكمال الآلي", "Abu Kamal automatic bakery"),
            ("فرن الجورة", "Al-Joura bakery"),
            ("مخبز القورية", "Al-Quriyah bakery"),
        ],
    ),
    (
        "WAT",
        &[
            ("محطة مياه الحويقة", "Huwayqa water station"),
            ("محطة مياه البغيلية", "Al-Bughayliyah water station"),
            ("محطة ضخ العشارة", "Al-Asharah pumping station"),
            ("محطة تصفية الميادين", "Mayadin treatment plant"),
        ],
    ),
    (
        "CRS",
        &[
            ("معبر الصالحية", "Al-Salihiyah crossing"),
            ("معبر الجنينة", "Al-Junaynah crossing"),
            ("معبر البوكمال الحدودي", "Abu Kamal border crossing"),
            ("معبر الميادين النهري", "Mayadin river crossing"),
        ],
    ),
    (
        "SIL",
        &[
            ("صوامع الميادين", "Mayadin silos"),
            ("صوامع دير الزور المركزية", "Deir ez-Zor central silos"),
            ("صوامع البوكمال", "Abu Kamal silos"),
        ],
    ),
    (
        "MIL",
        &[
            ("مطحنة البوكمال", "Abu Kamal mill"),
            ("مطحنة دير الزور الكبرى", "Deir ez-Zor grand mill"),
            ("مطحنة الميادين", "Mayadin mill"),
        ],
    ),
    (
        "FUE",
        &[
            ("كازية الحميدية", "Al-Hamidiyah fuel station"),
            ("كازية الموحسن", "Mohasan fuel station"),
            ("كازية التبني", "Al-Tabni fuel station"),
            ("كازية الجورة", "Al-Joura fuel station"),
        ],
    ),
    (
        "COO",
        &[
            (
                "صالة السورية للتجارة في القصور",
                "Syrian Trade hall, Al-Qusour",
            ),
            ("مؤسسة استهلاكية الجورة", "Al-Joura consumer outlet"),
            ("مؤسسة استهلاكية الميادين", "Mayadin consumer outlet"),
        ],
    ),
    (
        "OTH",
        &[
            ("معمل الغاز في الحسينية", "Husseiniyah gas plant"),
            ("مركز صحي البصيرة", "Al-Busayrah health centre"),
            ("ورشة الكهرباء في هرابش", "Harabesh electricity workshop"),
        ],
    ),
];

/// Inspectors' names, one per device in rotation.
const INSPECTORS: [&str; 8] = [
    "أحمد العلي",
    "سارة الحسن",
    "محمد الخلف",
    "ليلى الجاسم",
    "عمر الفرج",
    "هبة العبدالله",
    "خالد المحمد",
    "نور الدين الصالح",
];

/// Sentences notes are made of (and `text` fields).
const NOTES: [&str; 10] = [
    "الفرن يعمل بطاقة جزئية بسبب نقص الطحين.",
    "لا توجد مولدة احتياطية والكهرباء مقطوعة معظم النهار.",
    "طابور طويل منذ الصباح الباكر.",
    "تم التأكد من الأسعار مع صاحب المنشأة.",
    "الأبواب مغلقة ولم نتمكن من الدخول.",
    "تحتاج المضخة الثانية إلى صيانة عاجلة.",
    "الكميات المستلمة أقل من المخصصات المقررة.",
    "لوحظ بيع الخبز بسعر أعلى من السعر الرسمي.",
    "المخزون يكفي لأسبوع واحد فقط.",
    "تم إبلاغ المشرف هاتفياً.",
];

/// A seeded source of devices, checks and edits.
#[derive(Debug)]
pub struct Generator {
    rng: StdRng,
}

impl Generator {
    /// A generator for stream `stream` of the fixed [`SEED`] (one stream per device).
    pub fn new(stream: u64) -> Generator {
        Generator {
            rng: StdRng::seed_from_u64(SEED ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        }
    }

    /// The identity of device number `index`: an inspector with a seeded device id and actor.
    pub fn identity(&mut self, index: usize) -> NewIdentity {
        let actor: [u8; 16] = self.rng.random();
        NewIdentity {
            device_id: self.uuid_v7(1_774_000_000_000 + index as u64),
            actor: ActorId::from(&actor[..]),
            user: INSPECTORS[index % INSPECTORS.len()].to_owned(),
            role: Role::Inspector,
            server_url: None,
        }
    }

    /// Check number `index` of a device: recorded, then edited two or three times, as `actor`.
    ///
    /// # Errors
    /// Automerge refusing an operation (not expected).
    pub fn check(
        &mut self,
        index: usize,
        author: &Author,
        actor: &ActorId,
    ) -> anyhow::Result<(CheckId, CheckDoc)> {
        let kind = FacilityKind::ALL[index % FacilityKind::ALL.len()];
        let form = Forms::builtin().for_kind(kind);
        let (code, names) = SITES[index % SITES.len()];
        let &(name_ar, name_en) = names.choose(&mut self.rng).context("site names")?;
        let site_no: u32 = self.rng.random_range(1..=400);
        let mut fields = BTreeMap::new();
        for field in form.fields.iter().filter(|f| generable(f)) {
            // Inspectors leave a field blank now and then.
            if self.rng.random_bool(0.9) {
                fields.insert(field.name.clone(), self.value(field));
            }
        }
        let new = NewCheck {
            id: self
                .uuid_v7(1_775_000_000_000 + index as u64)
                .parse()
                .context("generated check id")?,
            kind,
            site: Site {
                id: format!("DEZ-{code}-{site_no:04}").parse()?,
                name_ar: name_ar.to_owned(),
                name_en: self.rng.random_bool(0.5).then(|| name_en.to_owned()),
                lat: Some(self.rng.random_range(34.40..35.80)),
                lon: Some(self.rng.random_range(39.80..41.00)),
            },
            observed_at: self.observed_at()?,
            fields,
            notes: self.notes(1),
        };
        let form_ref = FormRef {
            id: form.id.clone(),
            version: form.version,
        };
        let mut doc = CheckDoc::create(&new, &form_ref, author, actor.clone())?;
        refresh_links(&mut doc, author, kind)?;
        for _ in 0..self.rng.random_range(2..=3) {
            self.edit(&mut doc, author)?;
        }
        Ok((new.id, doc))
    }

    /// One inspector's edit: one or two fields get new valid values, sometimes a sentence is
    /// added to the notes; links are refreshed. Returns whether the document changed.
    ///
    /// # Errors
    /// The document is not a check, or Automerge refuses an operation.
    pub fn edit(&mut self, doc: &mut CheckDoc, author: &Author) -> anyhow::Result<bool> {
        let check = doc.read().context("reading the generated check")?;
        let form = Forms::builtin().for_kind(check.kind);
        let mut fields = BTreeMap::new();
        for _ in 0..self.rng.random_range(1..=2) {
            let field = form
                .fields
                .iter()
                .filter(|f| generable(f))
                .collect::<Vec<_>>()
                .choose(&mut self.rng)
                .copied()
                .context("form fields")?;
            fields.insert(field.name.clone(), self.value(field));
        }
        let notes = self
            .rng
            .random_bool(0.4)
            .then(|| format!("{} {}", check.notes, self.notes(1)));
        let changed = doc.edit(author, &CheckEdit { fields, notes })?;
        if changed {
            refresh_links(doc, author, check.kind)?;
        }
        Ok(changed)
    }

    /// A value valid for `field`, in a plausible range rather than the form's whole range.
    fn value(&mut self, field: &FormField) -> FieldValue {
        let min = field.min.unwrap_or(0.0);
        let plausible = if field.name.contains("price") {
            15_000.0
        } else if field.name.contains("queue") {
            300.0
        } else {
            5_000.0
        };
        let max = field.max.unwrap_or(plausible).min(plausible).max(min);
        match field.field_type {
            FieldType::Boolean => FieldValue::Bool(self.rng.random_bool(0.7)),
            FieldType::Integer if field.name.contains("price") => {
                FieldValue::Int(self.rng.random_range(10..=300) * 50)
            }
            FieldType::Integer => FieldValue::Int(self.rng.random_range(min as i64..=max as i64)),
            FieldType::Decimal => {
                let tenths = self
                    .rng
                    .random_range((min * 10.0) as i64..=(max * 10.0) as i64);
                FieldValue::Decimal(tenths as f64 / 10.0)
            }
            FieldType::SelectOne => match field.choices.choose(&mut self.rng) {
                Some(choice) => FieldValue::Text(choice.value.clone()),
                None => FieldValue::Text(String::new()),
            },
            FieldType::Text => FieldValue::Text(self.notes(1)),
            other => FieldValue::Text(self.text_value(other, field)),
        }
    }

    /// A value of a type stored as text in a fixed shape (see `fieldsync_schema::forms`).
    fn text_value(&mut self, field_type: FieldType, field: &FormField) -> String {
        let rng = &mut self.rng;
        match field_type {
            FieldType::SelectMultiple => {
                let count = rng.random_range(1..=2.min(field.choices.len()));
                let mut picked: Vec<&str> = field
                    .choices
                    .sample(rng, count)
                    .map(|c| c.value.as_str())
                    .collect();
                picked.sort_by_key(|v| field.choices.iter().position(|c| c.value == *v));
                picked.join(" ")
            }
            FieldType::Date => {
                let (month, day) = (rng.random_range(1..=12), rng.random_range(1..=28));
                format!("2026-{month:02}-{day:02}")
            }
            FieldType::Datetime => {
                let (day, hour) = (rng.random_range(1..=30), rng.random_range(0..=23));
                format!("2026-03-{day:02}T{hour:02}:00:00+03:00")
            }
            FieldType::Geopoint => {
                let lat = (rng.random_range(34.40..35.80_f64) * 1e5).round() / 1e5;
                let lon = (rng.random_range(39.80..41.00_f64) * 1e5).round() / 1e5;
                format!("{lat} {lon}")
            }
            FieldType::Photo => {
                let hash: [u64; 4] = rng.random();
                let hex: Vec<String> = hash.iter().map(|w| format!("{w:016x}")).collect();
                format!("sha256:{}", hex.concat())
            }
            _ => self.notes(1),
        }
    }

    /// `sentences` sentences of Arabic notes.
    fn notes(&mut self, sentences: usize) -> String {
        let picked: Vec<&str> = NOTES.sample(&mut self.rng, sentences).copied().collect();
        picked.join(" ")
    }

    /// A time in March or April 2026, Syrian time (UTC+03:00).
    fn observed_at(&mut self) -> anyhow::Result<ObservedAt> {
        let month = self.rng.random_range(3..=4);
        let day = self.rng.random_range(1..=30);
        let hour = self.rng.random_range(7..=17);
        let minute = self.rng.random_range(0..=59);
        Ok(format!("2026-{month:02}-{day:02}T{hour:02}:{minute:02}:00+03:00").parse()?)
    }

    /// A UUID v7 with timestamp `ms` and seeded random bits.
    fn uuid_v7(&mut self, ms: u64) -> String {
        let rand_a: u64 = self.rng.random_range(0..0x1000);
        let rand_b: u64 = self.rng.random::<u64>() & 0x3fff_ffff_ffff_ffff;
        let hi = ((ms & 0xffff_ffff_ffff) << 16) | 0x7000 | rand_a;
        let lo = (0b10 << 62) | rand_b;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }
}

/// Recomputes links from the check's fields and writes them, as `fieldsync record`/`edit` do.
fn refresh_links(doc: &mut CheckDoc, author: &Author, kind: FacilityKind) -> anyhow::Result<()> {
    let check = doc.read().context("reading the generated check")?;
    debug_assert_eq!(check.kind, kind);
    let links = Catalog::builtin().check_links(&check);
    doc.set_links(author, &links)?;
    Ok(())
}

/// The author a device with `identity` writes as.
pub fn author_of(identity: &NewIdentity) -> Author {
    Author {
        name: identity.user.clone(),
        device: identity.device_id.clone(),
        role: identity.role,
    }
}

/// Generates checks `first..first + count` of a device and inserts them into its store, a
/// chunk per transaction. Returns the ids and the sum of the documents' `save()` sizes.
///
/// # Errors
/// Generation or store failures.
pub fn fill(
    store: &mut Store,
    generator: &mut Generator,
    identity: &NewIdentity,
    first: usize,
    count: usize,
) -> anyhow::Result<(Vec<CheckId>, u64)> {
    let author = author_of(identity);
    let mut ids = Vec::with_capacity(count);
    let mut saved = 0u64;
    let mut index = first;
    while index < first + count {
        let end = (index + INSERT_CHUNK).min(first + count);
        let mut docs = Vec::with_capacity(end - index);
        for i in index..end {
            let (id, mut doc) = generator.check(i, &author, &identity.actor)?;
            saved += doc.save().len() as u64;
            ids.push(id);
            docs.push((id, doc));
        }
        store.write(|db| {
            for (id, doc) in &mut docs {
                db.insert_new(*id, doc)?;
            }
            Ok::<_, StoreError>(())
        })?;
        index = end;
    }
    Ok((ids, saved))
}

/// Whether [`Generator`] can make values for `field`: not for a `regex` rule, whose pattern
/// it cannot invert.
fn generable(field: &FormField) -> bool {
    field.regex.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_checks_are_valid_and_repeatable() {
        let mut a = Generator::new(7);
        let mut b = Generator::new(7);
        let who = a.identity(0);
        assert_eq!(who, b.identity(0));
        let author = author_of(&who);
        for i in 0..16 {
            let (id_a, doc_a) = a.check(i, &author, &who.actor).expect("check");
            let (id_b, _) = b.check(i, &author, &who.actor).expect("check");
            assert_eq!(id_a, id_b);
            let check = doc_a.read().expect("reads back as a check");
            assert_eq!(check.kind, FacilityKind::ALL[i % 8]);
            let form = Forms::builtin().for_kind(check.kind);
            for (name, value) in &check.fields {
                let raw = value.to_string();
                form.parse_value(name, &raw).expect("valid for the form");
            }
            assert!(!check.notes.is_empty());
        }
    }
}
