//! JSON Pointers (RFC 6901) built while walking a request, without re-allocating at every step.

/// A JSON Pointer under construction: `push` a segment, `pop` it when leaving.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pointer {
    text: String,
    marks: Vec<usize>,
}

impl Pointer {
    /// A pointer starting at `root` (already escaped, e.g. `/body`), with room for the usual depth
    /// (`/headers/authorization`, `/body/items/12/amount`) so that walking a request does not grow it.
    pub(crate) fn at(root: &str) -> Self {
        let mut text = String::with_capacity(root.len().max(48));
        text.push_str(root);
        Self { text, marks: Vec::with_capacity(4) }
    }

    /// Starts again at `root`, keeping the buffers.
    pub(crate) fn reset(&mut self, root: &str) {
        self.text.clear();
        self.text.push_str(root);
        self.marks.clear();
    }

    /// Descends into `segment`, escaping `~` and `/`.
    pub(crate) fn push(&mut self, segment: &str) {
        self.marks.push(self.text.len());
        self.text.push('/');
        if !segment.bytes().any(|b| b == b'~' || b == b'/') {
            self.text.push_str(segment);
            return;
        }
        for c in segment.chars() {
            match c {
                '~' => self.text.push_str("~0"),
                '/' => self.text.push_str("~1"),
                c => self.text.push(c),
            }
        }
    }

    /// Descends into an array index.
    pub(crate) fn push_index(&mut self, index: usize) {
        self.marks.push(self.text.len());
        self.text.push('/');
        self.text.push_str(&index.to_string());
    }

    /// Leaves the last segment.
    pub(crate) fn pop(&mut self) {
        if let Some(mark) = self.marks.pop() {
            self.text.truncate(mark);
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::Pointer;

    #[test]
    fn escapes_and_pops() {
        let mut p = Pointer::at("/body");
        p.push("a/b~c");
        p.push_index(2);
        assert_eq!(p.as_str(), "/body/a~1b~0c/2");
        p.pop();
        p.pop();
        assert_eq!(p.as_str(), "/body");
        p.pop();
        assert_eq!(p.as_str(), "/body");
    }
}
