// The full-precision training core: analytic gradient vs finite differences, determinism across
// thread counts, optimizers, exact resume from ExperimentState.
#include "core/experiment/experiment.hpp"
#include "core/network/fp_layer.hpp"
#include "core/network/mlp.hpp"

#include <oneapi/tbb/global_control.h>

#include <QtTest>

using namespace cbl;

namespace {

Mlp<double> tiny_net(Activation act) {
    Mlp<double>::Layers layers;
    layers.push_back(std::make_unique<FpLayer<double>>(5, 7, 3, 0)); // 6 pixels + bias -> 5
    layers.push_back(std::make_unique<FpLayer<double>>(4, 6, 3, 1)); // 5 + bias -> 4 classes
    OptimizerConfig opt;
    return Mlp<double>(act, std::move(layers), opt, 1);
}

double loss_of(const Mlp<double>& net, const Eigen::VectorXf& x, int label) {
    Eigen::MatrixXf images = x;
    return net.evaluate(images, {std::uint8_t(label)}, 0).loss;
}

ExperimentConfig small_config() {
    ExperimentConfig c = load_preset("fp32");
    c.dataset.source = "synthetic";
    c.dataset.synthetic_train = 600;
    c.dataset.synthetic_test = 200;
    c.training.epochs = 2;
    return c;
}

} // namespace

class TestMlp : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("activation");
        QTest::newRow("sigmoid") << int(Activation::sigmoid);
        QTest::newRow("relu") << int(Activation::relu);
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, activation);
        Mlp<double> net = tiny_net(Activation(activation));
        Eigen::VectorXf x(6);
        x << 0.2f, 0.9f, 0.0f, 0.5f, 0.7f, 0.1f;
        const int label = 2;
        // Analytic gradient: one SGD step with rate eta changes W by -eta dL/dW.
        std::vector<Eigen::MatrixXd> before;
        for (int k = 0; k < 2; ++k)
            before.push_back(net.layer(k).weights());
        const double eta = 1e-3;
        StepContext ctx;
        net.train_sample(x, label, eta, ctx);
        std::vector<Eigen::MatrixXd> analytic;
        // Finite differences around the weights the gradient was taken at: restore every layer.
        for (int k = 0; k < 2; ++k) {
            analytic.push_back((before[k] - net.layer(k).weights()) / eta);
            static_cast<FpLayer<double>&>(net.layer(k)).mutable_weights() = before[k];
        }
        for (int k = 0; k < 2; ++k) {
            auto& w = static_cast<FpLayer<double>&>(net.layer(k)).mutable_weights();
            for (int r = 0; r < w.rows(); ++r)
                for (int c = 0; c < w.cols(); ++c) {
                    const double h = 1e-6, keep = w(r, c);
                    w(r, c) = keep + h;
                    const double up = loss_of(net, x, label);
                    w(r, c) = keep - h;
                    const double down = loss_of(net, x, label);
                    w(r, c) = keep;
                    const double numeric = (up - down) / (2 * h);
                    QVERIFY2(std::abs(numeric - analytic[k](r, c)) <
                                 1e-6 + 1e-4 * std::abs(numeric),
                             qPrintable(QString("layer %1 (%2,%3): numeric %4 analytic %5")
                                            .arg(k)
                                            .arg(r)
                                            .arg(c)
                                            .arg(numeric)
                                            .arg(analytic[k](r, c))));
                }
        }
    }

    void sameResultWhateverTheThreadCount() {
        const ExperimentConfig c = small_config();
        auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
        std::vector<std::vector<EpochMetrics>> runs;
        for (int threads : {1, 2}) {
            tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
            Experiment e(c, data);
            while (!e.finished())
                e.train_epoch();
            runs.push_back(e.history());
            QVERIFY(e.history().back().test_accuracy > 0.5); // it learns
        }
        for (std::size_t i = 0; i < runs[0].size(); ++i) {
            QCOMPARE(runs[0][i].test_accuracy, runs[1][i].test_accuracy);
            QCOMPARE(runs[0][i].train_loss, runs[1][i].train_loss);
            QCOMPARE(runs[0][i].test_loss, runs[1][i].test_loss);
        }
    }

    void optimizersAndMiniBatchesLearn_data() {
        QTest::addColumn<QString>("optimizer");
        QTest::addColumn<int>("batch");
        QTest::addColumn<double>("rate");
        QTest::newRow("sgd batch 16") << "sgd" << 16 << 0.5;
        QTest::newRow("momentum batch 8") << "momentum" << 8 << 0.05;
        QTest::newRow("adam batch 8") << "adam" << 8 << 0.002;
    }
    void optimizersAndMiniBatchesLearn() {
        QFETCH(QString, optimizer);
        QFETCH(int, batch);
        QFETCH(double, rate);
        ExperimentConfig c = small_config();
        c.training.optimizer.type = optimizer.toStdString();
        c.training.optimizer.learning_rate = rate;
        c.training.batch_size = batch;
        Experiment e(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
        while (!e.finished())
            e.train_epoch();
        QVERIFY2(e.history().back().test_accuracy > 0.6,
                 qPrintable(QString::number(e.history().back().test_accuracy)));
    }

    void resumeFromStateIsExact() {
        ExperimentConfig c = small_config();
        c.training.epochs = 3;
        c.training.optimizer.type = "momentum";
        c.training.optimizer.learning_rate = 0.02;
        c.training.batch_size = 4;
        auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
        Experiment straight(c, data);
        while (!straight.finished())
            straight.train_epoch();

        Experiment first(c, data);
        first.train_epoch();
        first.train(123); // stop mid-epoch with a pending mini-batch
        Experiment resumed(first.state(), data);
        while (!resumed.finished())
            resumed.train(1000);
        QCOMPARE(resumed.history().size(), straight.history().size());
        for (std::size_t i = 0; i < straight.history().size(); ++i) {
            QCOMPARE(resumed.history()[i].test_accuracy, straight.history()[i].test_accuracy);
            QCOMPARE(resumed.history()[i].train_loss, straight.history()[i].train_loss);
        }
        QVERIFY(resumed.weights(0) == straight.weights(0));
    }
};

QTEST_GUILESS_MAIN(TestMlp)
#include "tst_mlp.moc"
