/// The small XML tree JUnit reports are written with: elements, attributes in the order added, text, and the
/// serialization Foundation's `XMLDocument.xmlString(options:)` (libxml2's xmlsave) gives them, byte for byte.
///
/// Why not FoundationXML itself: it links libxml2 and, through libxml2's converters, a second copy of ICU into the
/// release executable (issue #25, "Small"); this file is all shiplint used of it. The names and signatures are
/// Foundation's, so report code reads the same as it did. XMLTreeTests hold the bytes against FoundationXML (the
/// test target still links it) over hostile text, every option and every shape the reports build.
///
/// Escaping, as libxml2 writes it for a UTF-8 document: in text `&`, `<`, `>` and CR become `&amp;`, `&lt;`,
/// `&gt;`, `&#13;`; in attribute values `"`, TAB, LF and CR too (`&quot;`, `&#9;`, `&#10;`, `&#13;`). Everything else
/// (quotes in text, apostrophes, non-ASCII) is written as it is. Characters XML 1.0 cannot carry are the caller's to
/// replace (JUnitReport.xmlSafe), as they were with libxml2.
class XMLNode {
    /// What `XMLDocument.xmlString(options:)` honours: indentation by two spaces per level, and `<a/>` for an
    /// element without content (`<a></a>` without it).
    struct Options: OptionSet, Sendable {
        let rawValue: Int
        static let nodePrettyPrint = Options(rawValue: 1 << 0)
        static let nodeCompactEmptyElement = Options(rawValue: 1 << 1)
    }

    fileprivate enum Kind {
        case element
        case attribute
        case text
    }

    fileprivate let kind: Kind
    let name: String?
    var stringValue: String?

    fileprivate init(kind: Kind, name: String?, stringValue: String?) {
        self.kind = kind
        self.name = name
        self.stringValue = stringValue
    }

    /// An attribute node for `XMLElement.addAttribute`. Typed `Any` as Foundation types it, so call sites written
    /// against Foundation (`… as! XMLNode`) read the same.
    static func attribute(withName name: String, stringValue: String) -> Any {
        XMLNode(kind: .attribute, name: name, stringValue: stringValue)
    }
}

final class XMLElement: XMLNode {
    private(set) var attributes: [XMLNode] = []
    private(set) var children: [XMLNode] = []

    init(name: String) {
        super.init(kind: .element, name: name, stringValue: nil)
    }

    /// An element holding one text node (even an empty one: then it is written `<name></name>`, as libxml2 does).
    convenience init(name: String, stringValue: String?) {
        self.init(name: name)
        if let stringValue { children.append(XMLNode(kind: .text, name: nil, stringValue: stringValue)) }
    }

    func addChild(_ child: XMLNode) {
        children.append(child)
    }

    /// Adds an attribute; one of the same name goes first, and the new one comes last (as Foundation does).
    func addAttribute(_ attribute: XMLNode) {
        attributes.removeAll { $0.name == attribute.name }
        attributes.append(attribute)
    }
}

final class XMLDocument {
    let rootElement: XMLElement
    var characterEncoding: String?
    var version: String?

    init(rootElement: XMLElement) {
        self.rootElement = rootElement
    }

    /// The declaration, the root element and a final newline. The declaration names UTF-8 however the encoding was
    /// spelled: shiplint writes nothing else.
    func xmlString(options: XMLNode.Options = []) -> String {
        var output = "<?xml version=\"\(version ?? "1.0")\" encoding=\"utf-8\" standalone=\"no\"?>\n"
        Self.write(rootElement, level: 0, options: options, into: &output)
        output += "\n"
        return output
    }

    /// libxml2's xmlNodeDumpOutput: an element's children are indented only when none of them is text.
    private static func write(_ element: XMLElement, level: Int, options: XMLNode.Options, into output: inout String) {
        output += "<" + (element.name ?? "")
        for attribute in element.attributes {
            output += " \(attribute.name ?? "")=\"" + escaped(attribute.stringValue ?? "", inAttribute: true) + "\""
        }
        if element.children.isEmpty {
            output += options.contains(.nodeCompactEmptyElement) ? "/>" : "></\(element.name ?? "")>"
            return
        }
        output += ">"
        let indents = options.contains(.nodePrettyPrint) && !element.children.contains { $0.kind == .text }
        if indents { output += "\n" }
        for child in element.children {
            if let child = child as? XMLElement {
                if indents { output += String(repeating: "  ", count: min(level + 1, 30)) }
                write(child, level: level + 1, options: options, into: &output)
                if indents { output += "\n" }
            } else {
                output += escaped(child.stringValue ?? "", inAttribute: false)
            }
        }
        if indents { output += String(repeating: "  ", count: min(level, 30)) }
        output += "</\(element.name ?? "")>"
    }

    private static func escaped(_ text: String, inAttribute: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\r": result += "&#13;"
            case "\"" where inAttribute: result += "&quot;"
            case "\t" where inAttribute: result += "&#9;"
            case "\n" where inAttribute: result += "&#10;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
