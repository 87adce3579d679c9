/// Import names that differ from the name of the distribution on PyPI that installs them, for packages often
/// shipped in Lambda functions: which distribution a folder came from when its `*.dist-info` lists no files (RECORD
/// left empty), and which one to install when no `*.dist-info` is left at all. Each is the distribution's top-level
/// folder as its wheels on PyPI lay it out (`top_level.txt`, or the wheel's RECORD).
enum PythonImportNames {
    /// Import name → distributions that install it, the usual one first.
    static let distributions: [String: [String]] = [
        "PIL": ["Pillow"],
        "cv2": ["opencv-python-headless", "opencv-python", "opencv-contrib-python-headless", "opencv-contrib-python"],
        "yaml": ["PyYAML"], "_yaml": ["PyYAML"],
        "grpc": ["grpcio"],
        "Crypto": ["pycryptodome", "pycrypto"], "Cryptodome": ["pycryptodomex"],
        "psycopg2": ["psycopg2-binary", "psycopg2"],
        "MySQLdb": ["mysqlclient"],
        "sklearn": ["scikit-learn"], "skimage": ["scikit-image"],
        "nacl": ["PyNaCl"], "jwt": ["PyJWT"], "OpenSSL": ["pyOpenSSL"],
        "zmq": ["pyzmq"],
        "_cffi_backend": ["cffi"],
        "fitz": ["PyMuPDF"], "osgeo": ["GDAL"],
        "magic": ["python-magic"], "dateutil": ["python-dateutil"], "bs4": ["beautifulsoup4"],
        "snappy": ["python-snappy"], "Bio": ["biopython"], "faiss": ["faiss-cpu"],
        "_brotli": ["Brotli"], "Levenshtein": ["Levenshtein", "python-Levenshtein"],
        "pg": ["PyGreSQL"], "pgdb": ["PyGreSQL"], "_pg": ["PyGreSQL"],
    ]

    /// The distributions that install the top-level import name `name` (itself when no other is known).
    static func distributions(installing name: String) -> [String] {
        distributions[name] ?? [name]
    }
}
