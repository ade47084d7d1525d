// IDX reader: valid, gzip, truncated, wrong magic, wrong count, label range, folder pairing.
#include "core/common/param_error.hpp"
#include "core/dataset/dataset.hpp"
#include "core/dataset/idx_reader.hpp"

// Qt after the core headers: its emit keyword breaks the oneTBB headers.
#include "../common/input_error.hpp"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <zlib.h>

#include <fstream>

using namespace cbl;

namespace {

std::vector<std::uint8_t> be32(std::uint32_t v) {
    return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

std::vector<std::uint8_t> image_file(std::uint32_t magic, std::uint32_t count, int rows, int cols,
                                     std::size_t pixel_bytes) {
    std::vector<std::uint8_t> d;
    for (auto v : {magic, count, std::uint32_t(rows), std::uint32_t(cols)}) {
        const auto b = be32(v);
        d.insert(d.end(), b.begin(), b.end());
    }
    for (std::size_t i = 0; i < pixel_bytes; ++i)
        d.push_back(std::uint8_t(i * 7));
    return d;
}

std::vector<std::uint8_t> label_file(std::uint32_t count, std::size_t label_bytes, int value = 3) {
    std::vector<std::uint8_t> d;
    for (auto v : {0x801u, count}) {
        const auto b = be32(v);
        d.insert(d.end(), b.begin(), b.end());
    }
    for (std::size_t i = 0; i < label_bytes; ++i)
        d.push_back(std::uint8_t(value));
    return d;
}

void write(const QString& path, const std::vector<std::uint8_t>& d) {
    std::ofstream(path.toStdString(), std::ios::binary)
        .write(reinterpret_cast<const char*>(d.data()), std::streamsize(d.size()));
}

void write_gz(const QString& path, const std::vector<std::uint8_t>& d) {
    gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
    gzwrite(f, d.data(), unsigned(d.size()));
    gzclose(f);
}

using test::message_of;

} // namespace

class TestIdxReader : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString path(const char* name) { return dir.filePath(name); }

  private Q_SLOTS:
    void readsRawAndGzip() {
        const auto images = image_file(0x803, 3, 2, 2, 12);
        write(path("raw-images-idx3-ubyte"), images);
        write_gz(path("gz-images-idx3-ubyte.gz"), images);
        for (const char* name : {"raw-images-idx3-ubyte", "gz-images-idx3-ubyte.gz"}) {
            const IdxImages im = read_idx_images(path(name).toStdString());
            QCOMPARE(im.count, 3);
            QCOMPARE(im.rows, 2);
            QCOMPARE(im.cols, 2);
            QCOMPARE(int(im.pixels[5]), 35);
        }
    }
    void rejectsTruncatedImages() {
        write(path("t-images-idx3-ubyte"), image_file(0x803, 3, 2, 2, 11));
        const QString m =
            message_of([&] { read_idx_images(path("t-images-idx3-ubyte").toStdString()); });
        QVERIFY2(m.contains("truncated") && m.contains("t-images-idx3-ubyte"), qPrintable(m));
        write(path("h-images-idx3-ubyte"), {0, 0, 8});
        QVERIFY(message_of([&] {
                    read_idx_images(path("h-images-idx3-ubyte").toStdString());
                }).contains("too short"));
    }
    void rejectsWrongMagic() {
        write(path("m-images-idx3-ubyte"), image_file(0x801, 3, 2, 2, 12));
        const QString m =
            message_of([&] { read_idx_images(path("m-images-idx3-ubyte").toStdString()); });
        QVERIFY2(m.contains("wrong magic") && m.contains("0x00000801"), qPrintable(m));
    }
    void rejectsWrongCount() {
        write(path("c-labels-idx1-ubyte"), label_file(5, 4));
        QVERIFY(message_of([&] {
                    read_idx_labels(path("c-labels-idx1-ubyte").toStdString());
                }).contains("announces 5"));
        write(path("x-labels-idx1-ubyte"), label_file(4, 5));
        QVERIFY(message_of([&] {
                    read_idx_labels(path("x-labels-idx1-ubyte").toStdString());
                }).contains("trailing"));
    }
    void gzipBombIsInflatedOnlyToItsHeader() {
        // 512 MiB of zeros behind a header announcing 500 images of 28x28 (392 kB): the reader
        // must stop one byte past what the header announces instead of inflating it all.
        const auto header = image_file(0x803, 500, 28, 28, 0);
        gzFile f = gzopen(path("bomb-images-idx3-ubyte.gz").toLocal8Bit().constData(), "wb9");
        gzwrite(f, header.data(), unsigned(header.size()));
        const std::vector<std::uint8_t> zeros(1 << 20, 0);
        for (int i = 0; i < 512; ++i)
            gzwrite(f, zeros.data(), unsigned(zeros.size()));
        gzclose(f);
        rusage before{}, after{};
        getrusage(RUSAGE_SELF, &before);
        const QString m =
            message_of([&] { read_idx_images(path("bomb-images-idx3-ubyte.gz").toStdString()); });
        getrusage(RUSAGE_SELF, &after);
        QVERIFY2(m.contains("trailing data"), qPrintable(m));
        // Peak resident memory (kB) grew by far less than the 512 MiB a full inflation needs.
        QVERIFY2(after.ru_maxrss - before.ru_maxrss < 64 * 1024,
                 qPrintable(QString::number(after.ru_maxrss - before.ru_maxrss)));
    }
    void rejectsLabelOutOfRange() {
        write(path("r-labels-idx1-ubyte"), label_file(4, 4, 12));
        QVERIFY(message_of([&] {
                    read_idx_labels(path("r-labels-idx1-ubyte").toStdString());
                }).contains("outside 0..9"));
    }
    void rejectsCorruptGzip() {
        auto bytes = image_file(0x803, 3, 2, 2, 12);
        write_gz(path("z-images-idx3-ubyte.gz"), bytes);
        std::ifstream in(path("z-images-idx3-ubyte.gz").toStdString(), std::ios::binary);
        std::vector<char> gz((std::istreambuf_iterator<char>(in)), {});
        gz.resize(gz.size() - 10);
        write(path("z-images-idx3-ubyte.gz"), std::vector<std::uint8_t>(gz.begin(), gz.end()));
        QVERIFY(!message_of([&] {
                     read_idx_images(path("z-images-idx3-ubyte.gz").toStdString());
                 }).isEmpty());
    }
    void missingFileIsNamed() {
        QVERIFY(
            message_of([] { read_idx_images("/nonexistent/file"); }).contains("/nonexistent/file"));
    }
    void folderWithOnePairIsSplitByHoldout() {
        QTemporaryDir d;
        write(d.filePath("all-images-idx3-ubyte"), image_file(0x803, 10, 2, 2, 40));
        write(d.filePath("all-labels-idx1-ubyte"), label_file(10, 10));
        DatasetSpec spec;
        spec.source = d.path().toStdString();
        spec.holdout = 3;
        const DataSplit s = load_dataset(spec);
        QCOMPARE(s.train.size(), 7);
        QCOMPARE(s.test.size(), 3);
        QCOMPARE(s.train.features(), 4);
        QVERIFY(std::abs(s.test.images(0, 0) - (28 * 7 % 256) / 255.0f) < 1e-6f);
        spec.holdout = 10;
        QVERIFY(message_of([&] { load_dataset(spec); }).contains("--holdout"));
    }
    void mismatchedPairIsRejected() {
        QTemporaryDir d;
        write(d.filePath("all-images-idx3-ubyte"), image_file(0x803, 10, 2, 2, 40));
        write(d.filePath("all-labels-idx1-ubyte"), label_file(9, 9));
        DatasetSpec spec;
        spec.source = d.path().toStdString();
        QVERIFY(message_of([&] { load_dataset(spec); }).contains("holds 9 labels"));
    }
    void badSourceIsNamed() {
        DatasetSpec spec;
        spec.source = "/no/such/folder";
        QVERIFY(message_of([&] { load_dataset(spec); }).contains("/no/such/folder"));
    }
    void mnistLoadsFromTheDataHome() {
        // A fetched MNIST is a complete folder in data_home()/mnist; here a tiny stand-in.
        QTemporaryDir home;
        qputenv("CROSSBARLAB_DATA_HOME", home.path().toLocal8Bit());
        QCOMPARE(QString::fromStdString(mnist_dir()), home.filePath("mnist"));
        QDir(home.path()).mkdir("mnist");
        write(home.filePath("mnist/train-images-idx3-ubyte"), image_file(0x803, 6, 2, 2, 24));
        write(home.filePath("mnist/train-labels-idx1-ubyte"), label_file(6, 6));
        write(home.filePath("mnist/t10k-images-idx3-ubyte"), image_file(0x803, 2, 2, 2, 8));
        write(home.filePath("mnist/t10k-labels-idx1-ubyte"), label_file(2, 2));
        DatasetSpec spec;
        spec.source = "mnist";
        const DataSplit s = load_dataset(spec);
        QCOMPARE(s.name, std::string("mnist"));
        QCOMPARE(s.train.size(), 6);
        QCOMPARE(s.test.size(), 2);
        qunsetenv("CROSSBARLAB_DATA_HOME");
    }
    void mnistFetchFailureLeavesNothing() {
        // Offline (a registry nobody answers on): one message naming the retry command and the
        // alternative, and no partial folder in place.
        QTemporaryDir home;
        qputenv("CROSSBARLAB_DATA_HOME", home.path().toLocal8Bit());
        qputenv("npm_config_registry", "http://127.0.0.1:9/");
        DatasetSpec spec;
        spec.source = "mnist";
        const QString m = message_of([&] { load_dataset(spec); });
        QVERIFY2(m.contains("scripts/fetch-mnist.sh") && m.contains("--dataset FOLDER"),
                 qPrintable(m));
        QVERIFY(!QDir(home.filePath("mnist")).exists());
        QCOMPARE(
            QDir(home.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
            QStringList());
        qunsetenv("npm_config_registry");
        qunsetenv("CROSSBARLAB_DATA_HOME");
    }
    void dataHomeFollowsXdg() {
        qunsetenv("CROSSBARLAB_DATA_HOME");
        qputenv("XDG_DATA_HOME", "/tmp/xdg-test");
        QCOMPARE(QString::fromStdString(data_home()), QString("/tmp/xdg-test/crossbarlab"));
        qunsetenv("XDG_DATA_HOME");
    }
    void syntheticIsDeterministic() {
        const Dataset a = make_synthetic(50, 7), b = make_synthetic(50, 7),
                      c = make_synthetic(50, 8);
        QVERIFY(a.images == b.images);
        QVERIFY(a.labels == b.labels);
        QVERIFY(a.images != c.images);
        QCOMPARE(a.features(), 784);
        QVERIFY(a.images.minCoeff() >= 0 && a.images.maxCoeff() <= 1);
    }
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "tst_idx_reader.moc"
