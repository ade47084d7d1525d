// CIFAR-10 binary batches (issue 14): small synthetic files in the distribution's format load
// with their shape; truncated, wrong-sized, missing and mislabelled batches are refused by name;
// the CIFAR presets train on them.
#include "core/common/param_error.hpp"
#include "core/dataset/dataset.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/experiment.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace cbl;

namespace {

/// `records` records; record r has label r % 10 and pixel f = (r + f) % 256.
std::vector<std::uint8_t> batch(int records, int first = 0) {
    std::vector<std::uint8_t> d;
    for (int r = first; r < first + records; ++r) {
        d.push_back(std::uint8_t(r % 10));
        for (int f = 0; f < 3072; ++f)
            d.push_back(std::uint8_t((r + f) % 256));
    }
    return d;
}

void write(const QString& path, const std::vector<std::uint8_t>& d) {
    std::ofstream(path.toStdString(), std::ios::binary)
        .write(reinterpret_cast<const char*>(d.data()), std::streamsize(d.size()));
}

QString write_folder(QTemporaryDir& dir) {
    for (int b = 1; b <= 5; ++b)
        write(dir.filePath(QString("data_batch_%1.bin").arg(b)), batch(4, 4 * (b - 1)));
    write(dir.filePath("test_batch.bin"), batch(3, 100));
    return dir.path();
}

QString message_of(const DatasetSpec& spec) {
    try {
        load_dataset(spec);
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestCifar10 : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void syntheticBatchesLoad() {
        QTemporaryDir dir;
        DatasetSpec spec;
        spec.source = write_folder(dir).toStdString();
        const DataSplit s = load_dataset(spec);
        QCOMPARE(s.train.size(), 20);
        QCOMPARE(s.test.size(), 3);
        QCOMPARE(s.train.features(), 3072);
        QCOMPARE(s.train.channels, 3);
        QCOMPARE(s.train.height, 32);
        QCOMPARE(s.test.width, 32);
        // Record 5 (second batch, first record): label 5, green plane starts at feature 1024.
        QCOMPARE(int(s.train.labels[5]), 5);
        QCOMPARE(s.train.images(1024, 5), float((5 + 1024) % 256) / 255.0f);
        QCOMPARE(int(s.test.labels[0]), 0);
        spec.train_limit = 7;
        QCOMPARE(load_dataset(spec).train.size(), 7);
        QCOMPARE(load_dataset(spec).train.channels, 3);
    }
    void badBatchesAreRefusedByName() {
        QTemporaryDir dir;
        DatasetSpec spec;
        spec.source = write_folder(dir).toStdString();
        auto bytes = batch(4);
        bytes.resize(bytes.size() - 100); // truncated
        write(dir.filePath("data_batch_3.bin"), bytes);
        QString m = message_of(spec);
        QVERIFY2(m.contains("data_batch_3.bin") && m.contains("whole number"), qPrintable(m));
        write(dir.filePath("data_batch_3.bin"), {});
        QVERIFY(message_of(spec).contains("data_batch_3.bin"));
        write(dir.filePath("data_batch_3.bin"), batch(4));
        QFile::remove(dir.filePath("test_batch.bin"));
        m = message_of(spec);
        QVERIFY2(m.contains("test_batch.bin") && m.contains("missing"), qPrintable(m));
        auto bad = batch(2);
        bad[3073] = 12; // label of the second record
        write(dir.filePath("test_batch.bin"), bad);
        m = message_of(spec);
        QVERIFY2(m.contains("label 12") && m.contains("record 1"), qPrintable(m));
    }
    // Both CIFAR presets build their network for 3x32x32 inputs (conv1 unrolled to 3x3x3 + 1
    // columns) and train on the batches; in FP32 the steps change every weight layer (MCA's first
    // Adam steps stay in chi, below one pulse).
    void cifarPresetsTrainAFewSteps() {
        QTemporaryDir dir;
        const std::string folder = write_folder(dir).toStdString();
        for (const char* name : {"fp32-cnn-cifar", "mca-pcm-cnn-cifar"}) {
            ExperimentConfig c = load_preset(name);
            c.dataset.source = folder;
            Experiment e(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
            std::vector<Eigen::MatrixXf> before;
            for (int k = 0; k < e.layer_count(); ++k)
                before.push_back(e.weights(k));
            QCOMPARE(e.layer_count(), 6);
            QCOMPARE(before[0].cols(), 28);
            QCOMPARE(e.train(20), 20); // the 20 synthetic images: one batch of 16, then 4
            QCOMPARE(e.epochs_done(), 1);
            if (c.scheme.type != "fp") continue;
            for (int k = 0; k < e.layer_count(); ++k)
                QVERIFY2(e.weights(k) != before[std::size_t(k)],
                         qPrintable(QString("%1: layer %2 unchanged").arg(name).arg(k)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCifar10)
#include "tst_cifar10.moc"
