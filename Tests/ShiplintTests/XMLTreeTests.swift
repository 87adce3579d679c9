import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import ShiplintReports
import Testing

// In the tests, XML is read with Foundation's parser (XPath, attribute(forName:)); ShiplintReports' own writer types
// of the same names (XMLTree.swift) are named with their module below.
typealias XMLDocument = FoundationXML.XMLDocument
typealias XMLElement = FoundationXML.XMLElement
typealias XMLNode = FoundationXML.XMLNode

/// JUnit reports are written by ShiplintReports' XMLTree (so the release links neither FoundationXML nor libxml2);
/// the bytes must be the ones Foundation's XMLDocument, libxml2 underneath, writes for the same tree. The real writer
/// is the oracle: every tree here is built twice, once with each, and the strings compared.
@Suite struct XMLTreeTests {
    /// One tree description, built with either implementation.
    indirect enum Shape {
        case element(String, attributes: [(String, String)], children: [Shape])
        case text(String, element: String, attributes: [(String, String)])
    }

    private static func ours(_ shape: Shape) -> ShiplintReports.XMLElement {
        switch shape {
        case .element(let name, let attributes, let children):
            let element = ShiplintReports.XMLElement(name: name)
            for (key, value) in attributes {
                element.addAttribute(ShiplintReports.XMLNode.attribute(withName: key, stringValue: value) as! ShiplintReports.XMLNode)
            }
            children.forEach { element.addChild(ours($0)) }
            return element
        case .text(let value, let name, let attributes):
            let element = ShiplintReports.XMLElement(name: name, stringValue: value)
            for (key, value) in attributes {
                element.addAttribute(ShiplintReports.XMLNode.attribute(withName: key, stringValue: value) as! ShiplintReports.XMLNode)
            }
            return element
        }
    }

    private static func foundation(_ shape: Shape) -> XMLElement {
        switch shape {
        case .element(let name, let attributes, let children):
            let element = XMLElement(name: name)
            for (key, value) in attributes { element.addAttribute(XMLNode.attribute(withName: key, stringValue: value) as! XMLNode) }
            children.forEach { element.addChild(foundation($0)) }
            return element
        case .text(let value, let name, let attributes):
            let element = XMLElement(name: name, stringValue: value)
            for (key, value) in attributes { element.addAttribute(XMLNode.attribute(withName: key, stringValue: value) as! XMLNode) }
            return element
        }
    }

    private static func both(_ shape: Shape, pretty: Bool, compact: Bool) -> (ours: String, foundation: String) {
        let document = ShiplintReports.XMLDocument(rootElement: ours(shape))
        document.characterEncoding = "UTF-8"
        document.version = "1.0"
        var options: ShiplintReports.XMLNode.Options = []
        if pretty { options.insert(.nodePrettyPrint) }
        if compact { options.insert(.nodeCompactEmptyElement) }
        let reference = XMLDocument(rootElement: foundation(shape))
        reference.characterEncoding = "UTF-8"
        reference.version = "1.0"
        var referenceOptions: XMLNode.Options = []
        if pretty { referenceOptions.insert(.nodePrettyPrint) }
        if compact { referenceOptions.insert(.nodeCompactEmptyElement) }
        return (document.xmlString(options: options), reference.xmlString(options: referenceOptions))
    }

    /// Text XML 1.0 can carry (what JUnitReport.xmlSafe leaves), with everything libxml2 escapes somewhere.
    static let hostile = [
        "", " ", "plain", "a<b>&c\"d'e\tf\ng\rh", "]]>", "&amp; already", "\r\n\r\n", "\t\t", "  leading and trailing  ",
        "é ☃ 😀 \u{85} \u{7F} \u{A0} \u{2028} \u{FFFD} \u{202E}gnp", "e\u{301} (combining)", "<?xml?><!-- -->",
        "needs <GLIBC_2.99> & \"more\" ]]> \u{FFFD}bell", String(repeating: "x&", count: 500),
    ]

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func sameBytesAsFoundationForHostileText(pretty: Bool, compact: Bool) {
        for text in Self.hostile {
            let shape = Shape.element("testsuites", attributes: [("name", text), ("tests", "1")], children: [
                .element("testsuite", attributes: [("name", "s"), ("x", text)], children: [
                    .element("properties", attributes: [], children: [.element("property", attributes: [("name", "target"), ("value", text)], children: [])]),
                    .element("testcase", attributes: [("name", text)], children: []),
                    .element("testcase", attributes: [("name", "b")], children: [
                        .text(text, element: "failure", attributes: [("message", text), ("type", "t")]),
                        .text(text, element: "system-out", attributes: []),
                        .element("skipped", attributes: [("message", text)], children: []),
                    ]),
                ]),
            ])
            let (ours, foundation) = Self.both(shape, pretty: pretty, compact: compact)
            #expect(ours == foundation, "text \(text.debugDescription), pretty \(pretty), compact \(compact)")
        }
    }

    /// An empty root, an element with only an empty text node, deep nesting (libxml2 stops indenting at 60 spaces),
    /// and an attribute set twice (the new value replaces the old one and moves last).
    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func sameBytesAsFoundationForEveryShape(pretty: Bool, compact: Bool) {
        var deep = Shape.text("leaf", element: "leaf", attributes: [])
        for level in 0..<40 { deep = .element("level\(level)", attributes: [("n", "\(level)")], children: [deep, .element("empty", attributes: [], children: [])]) }
        let shapes: [Shape] = [
            .element("testsuites", attributes: [], children: []),
            .element("testsuites", attributes: [("a", "1")], children: [.text("", element: "system-out", attributes: [])]),
            .text("only text", element: "root", attributes: [("a", "1")]),
            .element("root", attributes: [("a", "1"), ("b", "2"), ("a", "3")], children: []),
            deep,
        ]
        for shape in shapes {
            let (ours, foundation) = Self.both(shape, pretty: pretty, compact: compact)
            #expect(ours == foundation, "pretty \(pretty), compact \(compact)")
        }
    }
}
