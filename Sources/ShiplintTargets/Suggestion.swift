/// "did you mean …" for a mistyped name: the closest known names by edit distance, when close enough to be a typo.
public enum Suggestion {
    /// `"; did you mean 'x'?"`-style suffix (leading space), or "" when nothing is close.
    public static func didYouMean<Names: Sequence<String>>(_ name: String, among names: Names) -> String {
        let close = closest(name, among: names)
        guard !close.isEmpty else { return "" }
        return "; did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }

    /// The nearest known names (at most three), if within a third of the name's length (at least 2) edits.
    public static func closest<Names: Sequence<String>>(_ name: String, among names: Names) -> [String] {
        let limit = max(2, name.count / 3)
        let lowered = name.lowercased()
        let scored = Set(names).compactMap { candidate -> (Int, String)? in
            let distance = editDistance(lowered, candidate.lowercased())
            return distance <= limit && candidate != name ? (distance, candidate) : nil
        }
        guard let best = scored.map(\.0).min() else { return [] }
        return scored.filter { $0.0 == best }.sorted { $0 < $1 }.prefix(3).map(\.1)
    }

    /// Levenshtein distance over characters.
    public static func editDistance(_ left: String, _ right: String) -> Int {
        let a = Array(left)
        let b = Array(right)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
