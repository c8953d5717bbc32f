//! Undo and redo over snapshots of a value (the page keeps one of designs).
//! Snapshots are cheap next to a person's edit rate, and they make every edit undoable
//! without each edit knowing its inverse.

/// A value with its past and undone futures.
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    current: T,
    past: Vec<T>,
    future: Vec<T>,
    limit: usize,
}

impl<T: Clone> History<T> {
    /// Starts a history at `value`, keeping at most `limit` steps back.
    pub fn new(value: T, limit: usize) -> History<T> {
        History {
            current: value,
            past: Vec::new(),
            future: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// The current value.
    pub fn current(&self) -> &T {
        &self.current
    }

    /// Records a new current value; the old one can be brought back with [`undo`](Self::undo).
    /// Redo steps are dropped, as in every editor.
    pub fn push(&mut self, value: T) {
        let old = std::mem::replace(&mut self.current, value);
        self.past.push(old);
        if self.past.len() > self.limit {
            self.past.remove(0);
        }
        self.future.clear();
    }

    /// Applies a fallible change to a copy of the current value and records it only if
    /// it succeeds.
    pub fn change<E>(&mut self, edit: impl FnOnce(&mut T) -> Result<(), E>) -> Result<(), E> {
        let mut next = self.current.clone();
        edit(&mut next)?;
        self.push(next);
        Ok(())
    }

    /// Goes one step back. Returns false when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        let Some(previous) = self.past.pop() else {
            return false;
        };
        let undone = std::mem::replace(&mut self.current, previous);
        self.future.push(undone);
        true
    }

    /// Re-applies the last undone step. Returns false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.future.pop() else {
            return false;
        };
        let redone = std::mem::replace(&mut self.current, next);
        self.past.push(redone);
        true
    }

    /// Whether [`undo`](Self::undo) would do something.
    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    /// Whether [`redo`](Self::redo) would do something.
    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_edits_undo_and_redo() {
        let mut h = History::new(0, 100);
        for i in 1..=10 {
            h.push(i);
        }
        for _ in 0..10 {
            assert!(h.undo());
        }
        assert_eq!(*h.current(), 0);
        assert!(!h.undo());
        for _ in 0..10 {
            assert!(h.redo());
        }
        assert_eq!(*h.current(), 10);
        assert!(!h.redo());
    }

    #[test]
    fn a_new_edit_drops_redo_and_failed_edits_leave_no_step() {
        let mut h = History::new(1, 2);
        h.push(2);
        h.push(3);
        h.push(4);
        assert!(h.undo() && h.undo());
        assert!(!h.undo(), "limit of 2 steps");
        h.push(9);
        assert!(!h.can_redo());
        let failed: Result<(), &str> = h.change(|v| {
            *v = 100;
            Err("no")
        });
        assert!(failed.is_err());
        assert_eq!(*h.current(), 9);
    }
}
