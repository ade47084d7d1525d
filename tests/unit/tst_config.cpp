// Experiment config validation: every bad field is rejected with its path and allowed range.
#include "core/common/param_error.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/experiment.hpp"

#include <QtTest>

using namespace cbl;

namespace {
QString error_of(nlohmann::json j) {
    try {
        j.get<ExperimentConfig>().validate();
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
nlohmann::json preset_json() {
    return load_preset("fp32");
}
} // namespace

class TestConfig : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void presetsLoadAndRoundTrip() {
        const auto names = preset_names();
        QVERIFY(names.size() >= 2);
        for (const auto& n : names) {
            const ExperimentConfig c = load_preset(n);
            QVERIFY(!c.description.empty());
            const nlohmann::json j = c;
            QCOMPARE(nlohmann::json(j.get<ExperimentConfig>()).dump(), j.dump());
        }
    }
    void badFieldsAreNamed_data() {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<QString>("expected");
        QTest::newRow("negative lr") << "training.optimizer.learning_rate=-1"
                                     << "training.optimizer.learning_rate";
        QTest::newRow("nan lr") << "training.optimizer.learning_rate=NaN"
                                << "expected a number";
        QTest::newRow("zero batch") << "training.batch_size=0"
                                    << "training.batch_size";
        QTest::newRow("string epochs") << "training.epochs=\"ten\""
                                       << "training.epochs";
        QTest::newRow("fractional epochs") << "training.epochs=2.5"
                                           << "whole number";
        QTest::newRow("bad precision") << "training.precision=\"fp16\""
                                       << "fp32, fp64";
        QTest::newRow("bad activation") << "network.hidden_activation=\"tanh\""
                                        << "sigmoid, relu";
        QTest::newRow("tiny layer") << "network.layers=[785,1,10]"
                                    << "network.layers[1]";
        QTest::newRow("unknown key") << "training.epoch=3"
                                     << "training.epoch is not a known field";
        QTest::newRow("bad optimizer") << "training.optimizer.type=\"rmsprop\""
                                       << "sgd, momentum, adam";
        QTest::newRow("negative time") << "training.seconds_per_image=-0.1"
                                       << "training.seconds_per_image";
    }
    void badFieldsAreNamed() {
        QFETCH(QString, assignment);
        QFETCH(QString, expected);
        nlohmann::json j = preset_json();
        apply_override(j, assignment.toStdString());
        const QString e = error_of(j);
        QVERIFY2(e.contains(expected), qPrintable("got: " + e));
    }
    void rangeMessagesGiveTheRange() {
        nlohmann::json j = preset_json();
        apply_override(j, "training.optimizer.momentum=2");
        QVERIFY(error_of(j).contains("allowed 0 .. 0.999"));
    }
    void badOverrideKeysAreNamed() {
        const auto message = [](const std::string& assignment) {
            nlohmann::json j = preset_json();
            try {
                apply_override(j, assignment);
            } catch (const InputError& e) {
                return QString(e.what());
            }
            return error_of(j);
        };
        // A group that does not exist reaches the loader, which names the unknown field.
        QVERIFY(
            message("training.schedule.x=1").contains("training.schedule is not a known field"));
        QVERIFY(message("training.epochs.x=1").contains("training.epochs is a value"));
        QVERIFY(message("training..x=1").contains("empty part"));
    }
    void unknownPresetListsTheKnownOnes() {
        try {
            load_preset("nope");
            QFAIL("no error");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("fp32"));
        }
    }
    void hotAndStructuralParameters() {
        QVERIFY(Experiment::is_hot("training.optimizer.learning_rate"));
        QVERIFY(Experiment::is_hot("tile.read_noise_scale"));
        QVERIFY(!Experiment::is_hot("network.layers"));
        QVERIFY(!Experiment::is_hot("device.g_max_uS"));
    }
    void layerShapeMustMatchDataset() {
        ExperimentConfig c = load_preset("fp32");
        c.dataset.source = "synthetic";
        c.network.layers = {100, 20, 10};
        try {
            Experiment e(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
            QFAIL("no error");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("784 pixels"));
        }
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
