//! A bound on how deeply a document nests objects, checked without recursion.
//!
//! A check's layout nests at most four levels (`decisions` -> a decision -> `discarded` ->
//! a value). A peer can send a change that nests maps thousands deep; every reader that
//! walks a value recursively (the review's data snapshot, the server's authority) would
//! then overflow the thread's stack, which aborts the whole process rather than panicking.
//! [`CheckDoc::check_nesting`] walks the document with an explicit stack and refuses such
//! a document before anything recursive sees it.

use automerge::{ObjId, ObjType, ROOT, ReadDoc, Value};

use crate::document::CheckDoc;
use crate::document_read::{DocError, invalid};

/// Deepest object nesting accepted below the root (the layout needs 4).
pub const MAX_NESTING: usize = 8;

impl CheckDoc {
    /// Refuses a document whose objects nest deeper than [`MAX_NESTING`] below the root,
    /// naming the path where it goes too deep.
    ///
    /// # Errors
    /// [`DocError::Invalid`] naming the path, the depth and the limit.
    pub fn check_nesting(&self) -> Result<(), DocError> {
        let mut stack: Vec<(ObjId, usize, String)> = vec![(ROOT, 0, String::new())];
        while let Some((obj, depth, path)) = stack.pop() {
            for (prop, child) in self.children(&obj)? {
                let child_path = if path.is_empty() {
                    prop
                } else {
                    format!("{path}.{prop}")
                };
                if depth + 1 > MAX_NESTING {
                    return Err(invalid(
                        &child_path,
                        &format!("objects nested {} deep", depth + 1),
                        format!("a check nests objects at most {MAX_NESTING} deep"),
                    ));
                }
                stack.push((child, depth + 1, child_path));
            }
        }
        Ok(())
    }

    /// The map and list objects directly inside `obj` (text holds no objects).
    fn children(&self, obj: &ObjId) -> Result<Vec<(String, ObjId)>, DocError> {
        let mut out = Vec::new();
        match self.doc.object_type(obj)? {
            ObjType::Map | ObjType::Table => {
                for key in self.doc.keys(obj) {
                    for (value, id) in self.doc.get_all(obj, key.as_str())? {
                        if matches!(
                            value,
                            Value::Object(ObjType::Map | ObjType::Table | ObjType::List)
                        ) {
                            out.push((key.clone(), id));
                        }
                    }
                }
            }
            ObjType::List => {
                for index in 0..self.doc.length(obj) {
                    for (value, id) in self.doc.get_all(obj, index)? {
                        if matches!(
                            value,
                            Value::Object(ObjType::Map | ObjType::Table | ObjType::List)
                        ) {
                            out.push((index.to_string(), id));
                        }
                    }
                }
            }
            ObjType::Text => {}
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, ObjType, ROOT, ReadDoc};

    use crate::document_tests::{author, form, new_bakery};
    use crate::{CheckDoc, Role};

    fn nested(depth: usize) -> CheckDoc {
        let ana = author("ana", Role::Inspector);
        let mut doc =
            CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
        let am = doc.automerge();
        let mut obj = match am.get(ROOT, "fields").expect("get") {
            Some((_, id)) => id,
            None => panic!("fields"),
        };
        for _ in 0..depth {
            obj = am.put_object(&obj, "x", ObjType::Map).expect("put");
        }
        am.commit();
        doc
    }

    #[test]
    fn a_check_as_recorded_passes() {
        nested(0).check_nesting().expect("layout");
        nested(7).check_nesting().expect("8 deep with fields");
    }

    #[test]
    fn deep_nesting_is_refused_naming_the_path_without_recursing() {
        let err = nested(8).check_nesting().expect_err("9 deep");
        assert!(err.to_string().contains("fields.x.x.x.x.x.x.x.x"), "{err}");
        // Deep enough to overflow a recursive walk on a 2 MiB thread stack.
        let err = nested(10_000).check_nesting().expect_err("deep");
        assert!(err.to_string().contains("at most 8 deep"), "{err}");
    }
}
