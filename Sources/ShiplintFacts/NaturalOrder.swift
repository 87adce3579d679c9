/// The order Finder and `localizedStandardCompare` give names in, without a locale's collation data: runs of
/// digits compared by their value ("file2" before "file10"), letters without regard to case, and two names equal
/// that way ordered by their Unicode scalars so the order is total. Held to Foundation's answers by
/// EssentialsParityTests.
public enum NaturalOrder {
    public static func ascending(_ left: String, _ right: String) -> Bool {
        compare(left, right) < 0
    }

    /// Negative, zero or positive as `left` sorts before, with, or after `right`.
    public static func compare(_ left: String, _ right: String) -> Int {
        let a = Array(left.unicodeScalars)
        let b = Array(right.unicodeScalars)
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if isDigit(a[i]), isDigit(b[j]) {
                let startA = i, startB = j
                while i < a.count, isDigit(a[i]) { i += 1 }
                while j < b.count, isDigit(b[j]) { j += 1 }
                let digitsA = a[startA..<i].drop { $0 == "0" }
                let digitsB = b[startB..<j].drop { $0 == "0" }
                if digitsA.count != digitsB.count { return digitsA.count - digitsB.count }
                for (x, y) in zip(digitsA, digitsB) where x != y { return Int(x.value) - Int(y.value) }
                continue
            }
            let x = folded(a[i]), y = folded(b[j])
            if x != y { return Int(x.value) - Int(y.value) }
            i += 1
            j += 1
        }
        if i < a.count || j < b.count { return (a.count - i) - (b.count - j) }
        // Equal by value and case: the scalars decide.
        for (x, y) in zip(a, b) where x != y { return Int(x.value) - Int(y.value) }
        return a.count - b.count
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}
