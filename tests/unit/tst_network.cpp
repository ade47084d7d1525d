// The network graph and the full-precision training core: analytic gradient vs finite
// differences through dense + each activation (+ dropout and flatten) + softmax cross-entropy,
// the chain built from the config against a hand-written forward pass, dropout masks,
// determinism across thread counts, optimizers, exact resume from ExperimentState.
#include "core/experiment/experiment.hpp"
#include "core/network/activation_layer.hpp"
#include "core/network/dense_layer.hpp"
#include "core/network/dropout_layer.hpp"
#include "core/network/flatten_layer.hpp"
#include "core/network/fp_layer.hpp"
#include "core/network/network_builder.hpp"
#include "gradient_check.hpp"

#include <oneapi/tbb/global_control.h>

#include <QtTest>

using namespace cbl;

namespace {

// 6 pixels + bias -> 5 -> 3 -> 4 classes: two hidden activations, so the error passes through
// the activation's derivative twice.
Network<double> tiny_net(Activation act) {
    WeightLayers<double> layers;
    layers.push_back(std::make_unique<FpLayer<double>>(5, 7, 3, 0));
    layers.push_back(std::make_unique<FpLayer<double>>(3, 6, 3, 1));
    layers.push_back(std::make_unique<FpLayer<double>>(4, 4, 3, 2));
    return build_chain<double>({7, 5, 3, 4}, to_string(act), std::move(layers), OptimizerConfig{},
                               1);
}

// input -> dense 5x7 -> sigmoid -> dropout -> flatten 5x1x1 -> dense 4x6 -> softmax CE.
Network<double> dropout_net(double rate) {
    const OptimizerConfig opt;
    Network<double>::Nodes nodes;
    nodes.push_back(
        {"dense_0",
         {"input"},
         std::make_unique<DenseLayer<double>>(std::make_unique<FpLayer<double>>(5, 7, 3, 0), opt)});
    nodes.push_back(
        {"sigmoid_0", {"dense_0"}, std::make_unique<ActivationLayer<double>>(Activation::sigmoid)});
    nodes.push_back(
        {"dropout_0", {"sigmoid_0"}, std::make_unique<DropoutLayer<double>>(rate, 3, 2)});
    nodes.push_back({"flatten", {"dropout_0"}, std::make_unique<FlattenLayer<double>>(5, 1, 1)});
    nodes.push_back(
        {"dense_1",
         {"flatten"},
         std::make_unique<DenseLayer<double>>(std::make_unique<FpLayer<double>>(4, 6, 3, 1), opt)});
    return Network<double>(6, std::move(nodes), "dense_1",
                           std::make_unique<SoftmaxCrossEntropy<double>>(), 1);
}

Network<double>::Nodes dense_node(Network<double>::Nodes nodes, std::string name,
                                  std::vector<std::string> inputs, int rows, int cols) {
    const auto k = static_cast<std::uint32_t>(nodes.size());
    nodes.push_back({std::move(name), std::move(inputs),
                     std::make_unique<DenseLayer<double>>(
                         std::make_unique<FpLayer<double>>(rows, cols, 5, k), OptimizerConfig{})});
    return nodes;
}

// A skip connection: sigmoid_0 feeds dense_1 and dense_2 (its errors are summed), dense_2 reads
// [relu_1, sigmoid_0, 1] (its error is split between them).
Network<double>::Nodes skip_nodes() {
    Network<double>::Nodes nodes = dense_node({}, "dense_0", {"input"}, 5, 7);
    nodes.push_back(
        {"sigmoid_0", {"dense_0"}, std::make_unique<ActivationLayer<double>>(Activation::sigmoid)});
    nodes = dense_node(std::move(nodes), "dense_1", {"sigmoid_0"}, 3, 6);
    nodes.push_back(
        {"relu_1", {"dense_1"}, std::make_unique<ActivationLayer<double>>(Activation::relu)});
    return dense_node(std::move(nodes), "dense_2", {"relu_1", "sigmoid_0"}, 4, 9);
}

/// dL/dW of every weight node from one SGD step against central finite differences.
void check_gradient(Network<double>& net, bool training_loss) {
    Eigen::VectorXf x(6);
    x << 0.2f, 0.9f, 0.0f, 0.5f, 0.7f, 0.1f;
    test::check_gradient(net, x, 2, training_loss);
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

class TestNetwork : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("activation");
        QTest::newRow("sigmoid") << int(Activation::sigmoid);
        QTest::newRow("relu") << int(Activation::relu);
        QTest::newRow("tanh") << int(Activation::tanh);
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, activation);
        Network<double> net = tiny_net(Activation(activation));
        check_gradient(net, false);
    }

    void gradientThroughDropoutAndFlatten() {
        Network<double> net = dropout_net(0.4);
        Eigen::VectorXf x(6);
        x << 0.2f, 0.9f, 0.0f, 0.5f, 0.7f, 0.1f;
        QVERIFY(test::loss_of(net, x, 2, true) !=
                test::loss_of(net, x, 2, false)); // the mask drops units
        check_gradient(net, true);
    }

    void gradientThroughJoinedInputs() {
        Network<double> net(6, skip_nodes(), "dense_2",
                            std::make_unique<SoftmaxCrossEntropy<double>>(), 1);
        QCOMPARE(net.weight_count(), 3);
        check_gradient(net, false);
        // A layer that leads nowhere is an error, not silently untrained weights.
        Network<double>::Nodes dangling = dense_node(skip_nodes(), "dense_3", {"sigmoid_0"}, 2, 6);
        QVERIFY_THROWS_EXCEPTION(
            InputError, Network<double>(6, std::move(dangling), "dense_2",
                                        std::make_unique<SoftmaxCrossEntropy<double>>(), 1));
    }

    void dropoutMasksAreKeyedAndOffAtEvaluation() {
        DropoutLayer<double> drop(0.25, 5, 1);
        const Eigen::VectorXd x = Eigen::VectorXd::Constant(4000, 0.5);
        Eigen::VectorXd y, again, other;
        StepContext ctx{11, nullptr};
        drop.forward(x, y, ctx);
        const auto kept = (y.array() != 0).count();
        QVERIFY2(std::abs(kept / 4000.0 - 0.75) < 0.03, qPrintable(QString::number(kept)));
        QVERIFY((y.array() == 0 || y.array() == 0.5 / 0.75).all()); // inverted: kept units scaled
        drop.forward(x, again, ctx);
        QVERIFY(again == y); // a pure function of (seed, step, layer, unit)
        ctx.step = 12;
        drop.forward(x, other, ctx);
        QVERIFY(other != y);
        DropoutLayer<double>(0.25, 5, 2).forward(x, other, ctx = {11, nullptr});
        QVERIFY(other != y); // another layer draws its own mask
        Eigen::MatrixXd batch = x, out;
        drop.forward_batch(batch, out, 0);
        QVERIFY(out == batch);
        QVERIFY_THROWS_EXCEPTION(InputError, FlattenLayer<double>(2, 3, 3).output_size(17, "f"));
    }

    void chainMatchesHandWrittenForward() {
        // network.layers [785, 250, 10] with sigmoid hidden neurons (seed 002 section 2.3).
        WeightLayers<double> layers;
        layers.push_back(std::make_unique<FpLayer<double>>(250, 785, 11, 0));
        layers.push_back(std::make_unique<FpLayer<double>>(10, 251, 11, 1));
        Network<double> net =
            build_chain<double>({785, 250, 10}, "sigmoid", std::move(layers), OptimizerConfig{}, 1);
        QCOMPARE(net.weight_count(), 2);
        const Eigen::MatrixXd w0 = net.weight_layer(0).weights(),
                              w1 = net.weight_layer(1).weights();
        QCOMPARE(w0.rows(), 250);
        QCOMPARE(w0.cols(), 785);
        QCOMPARE(w1.rows(), 10);
        QCOMPARE(w1.cols(), 251);
        Eigen::MatrixXf x = (Eigen::MatrixXf::Random(784, 1).array() + 1) / 2;
        Eigen::VectorXd a(785), h(251);
        a << x.col(0).cast<double>(), 1;
        h << (1 + (-(w0 * a).array()).exp()).inverse().matrix(), 1;
        Eigen::VectorXd z = w1 * h;
        const Eigen::VectorXd p =
            (z.array() - z.maxCoeff()).exp() / (z.array() - z.maxCoeff()).exp().sum();
        int best = 0;
        p.maxCoeff(&best);
        for (int label = 0; label < 10; ++label) {
            const EvalResult e = net.evaluate(x, {std::uint8_t(label)}, 0);
            QVERIFY(std::abs(e.loss + std::log(p[label])) < 1e-12);
            QCOMPARE(e.accuracy, label == best ? 1.0 : 0.0);
            StepContext ctx;
            const SampleResult r = net.train_sample(x.col(0), label, 0.0, ctx); // rate 0: no change
            QCOMPARE(r.predicted, best);
            QVERIFY(std::abs(r.loss + std::log(p[label])) < 1e-12);
        }
        QVERIFY(net.weight_layer(0).weights() == w0);
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

QTEST_GUILESS_MAIN(TestNetwork)
#include "tst_network.moc"
