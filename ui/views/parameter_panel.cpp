#include "ui/views/parameter_panel.hpp"

#include "core/device/device_params.hpp"
#include "core/experiment/engine.hpp"
#include "core/training/crossbar_layer.hpp"
#include "core/training/scheme_config.hpp"
#include "ui/app/parameter_info.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <functional>

namespace cbl::ui {

void flatten_json(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it.value().is_object())
            flatten_json(it.value(), path, out);
        else
            out[path] = it.value();
    }
}

namespace {
const QHash<QString, QStringList>& choices() {
    static const QHash<QString, QStringList> c = {
        {"training.optimizer.schedule", {"constant", "step", "exponential"}},
        {"training.optimizer.type", {"sgd", "momentum", "adam"}},
        {"tile.mapping", {"differential", "single"}},
        {"scheme.write_scheme", {"verify", "gradual", "tolerant"}},
        {"scheme.quantize_rounding", {"stochastic", "nearest"}},
        {"scheme.quantize_scale", {"fixed", "vector"}},
        {"scheme.direct_rounding", {"stochastic", "nearest", "truncate"}}};
    return c;
}

QString group_of(const QString& path) {
    if (path.startsWith("device.")) return "device";
    if (path.startsWith("tile.peripherals.")) return "peripherals";
    if (path.startsWith("tile.")) return "tile";
    if (path.startsWith("scheme.")) return "scheme";
    return "training";
}
} // namespace

ParameterPanel::ParameterPanel(QWidget* parent) : QWidget(parent) {
    header_ = new QLabel;
    header_->setWordWrap(true);
    pendingBar_ = new QWidget;
    pendingText_ = new QLabel;
    pendingText_->setWordWrap(true);
    auto* apply = new QPushButton("Apply && reset");
    apply->setToolTip("Restart the experiment with the pending structural changes");
    auto* discard = new QPushButton("Discard");
    auto* pl = new QHBoxLayout(pendingBar_);
    pl->setContentsMargins(4, 4, 4, 4);
    pl->addWidget(pendingText_, 1);
    pl->addWidget(apply);
    pl->addWidget(discard);
    pendingBar_->setStyleSheet("background: #fff3cd; border-radius: 4px;");
    pendingBar_->hide();
    groupsLayout_ = new QVBoxLayout;
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->addWidget(header_);
    lay->addWidget(pendingBar_);
    lay->addLayout(groupsLayout_);
    lay->addStretch(1);

    connect(apply, &QPushButton::clicked, this, [this] {
        try {
            const ExperimentConfig next = pending_.get<ExperimentConfig>();
            Q_EMIT applyStructural(next);
        } catch (const std::exception& e) {
            pendingText_->setText("<span style='color:#b00'>" +
                                  QString::fromUtf8(e.what()).toHtmlEscaped() + "</span>");
        }
    });
    connect(discard, &QPushButton::clicked, this, [this] {
        pending_ = config_;
        pendingPaths_.clear();
        const nlohmann::json flat = effective(config_);
        for (auto it = flat.begin(); it != flat.end(); ++it) {
            const QString p = QString::fromStdString(it.key());
            if (rows_.contains(p)) setEditorValue(rows_[p], it.value());
            showError(p, {});
        }
        updatePendingBar();
        Q_EMIT deviceEdited(config_.tile.device);
    });
}

nlohmann::json ParameterPanel::effective(const ExperimentConfig& c) const {
    // The full parameter set with defaults filled in, as the core parses it.
    nlohmann::json groups = nlohmann::json::object();
    nlohmann::json training = nlohmann::json(c).value("training", nlohmann::json::object());
    training.erase("precision");
    training.erase("seed");
    if (training.contains("optimizer") && training["optimizer"].value("type", "") != "adam") {
        for (const char* k : {"beta1", "beta2", "adam_epsilon"})
            training["optimizer"].erase(k);
    }
    if (training.contains("optimizer") && training["optimizer"].value("type", "") != "momentum")
        training["optimizer"].erase("momentum");
    // Only what the experiment uses is shown: the decay of a schedule that has one, the
    // interval of a step schedule.
    if (training.contains("optimizer")) {
        nlohmann::json& o = training["optimizer"];
        const std::string schedule = o.value("schedule", "constant");
        if (schedule != "step") o.erase("decay_epochs");
        if (schedule == "constant") o.erase("decay");
    }
    groups["training"] = training;
    try {
        const SchemeConfig& s = c.scheme;
        nlohmann::json sj = s;
        sj.erase("type");
        if (s.type != "time")
            for (const char* k : {"write_scheme", "write_tolerance", "write_max_iterations"})
                sj.erase(k);
        if (s.type != "direct") sj.erase("direct_rounding");
        // The update path's rounding and ranges matter only with its bits on; the ranges only
        // for fixed scales.
        if (s.quantize_bits == 0)
            for (const char* k : {"quantize_rounding", "quantize_scale"})
                sj.erase(k);
        if (s.quantize_bits == 0 || s.quantize_scale != "fixed")
            for (const char* k : {"quantize_x_range", "quantize_delta_range"})
                sj.erase(k);
        if (s.type != "fp") {
            const TileConfig& t = c.tile;
            nlohmann::json tj = t;
            // Separate up and down granules and a reference conductance exist only for a single
            // device per weight, the weight refresh and multi-pair synapses only for pairs.
            if (t.mapping == WeightMapping::single) {
                sj.erase("refresh_interval");
                for (const char* k : {"refresh_threshold_uS", "refresh_tolerance_uS",
                                      "refresh_max_pulses", "pairs_per_weight"})
                    tj.erase(k);
            } else {
                for (const char* k : {"eps_up", "eps_down"})
                    sj.erase(k);
                tj.erase("g_ref_uS");
            }
            groups["scheme"] = sj;
            nlohmann::json dj = tj["device"];
            tj.erase("device");
            dj.erase("family");
            groups["tile"] = tj;
            groups["device"] = dj;
        }
    } catch (const std::exception&) {
        // An invalid config shows what can be shown; the error is on the field being edited.
    }
    nlohmann::json flat = nlohmann::json::object();
    flatten_json(groups, "", flat);
    return flat;
}

void ParameterPanel::showSnapshot(const SnapshotPtr& s) {
    const nlohmann::json cj = s->config;
    if (haveConfig_ && cj == nlohmann::json(config_)) return;
    const bool reloaded =
        !haveConfig_ ||
        cj.value("device", nlohmann::json()) !=
            nlohmann::json(config_).value("device", nlohmann::json()) ||
        cj.value("scheme", nlohmann::json()).value("type", "") !=
            nlohmann::json(config_).value("scheme", nlohmann::json()).value("type", "");
    config_ = s->config;
    haveConfig_ = true;
    if (reloaded || pendingPaths_.isEmpty()) {
        pending_ = cj;
        pendingPaths_.clear();
    }
    const nlohmann::json flat = effective(config_);
    QStringList paths;
    for (auto it = flat.begin(); it != flat.end(); ++it)
        paths.append(QString::fromStdString(it.key()));
    if (paths != layoutPaths_)
        rebuild(flat);
    else
        for (auto it = flat.begin(); it != flat.end(); ++it) {
            const QString p = QString::fromStdString(it.key());
            if (pendingPaths_.contains(p)) continue;
            Row& r = rows_[p];
            if (r.editor && !r.editor->hasFocus()) setEditorValue(r, it.value());
        }
    const QString family = QString::fromStdString(config_.tile.device.family());
    header_->setText(
        QString("<b>%1</b> — scheme <b>%2</b>%3. <span style='color:#1a7f37'>● live</span> "
                "changes apply while training and mark the charts; <span "
                "style='color:#666'>● reset</span> changes restart the experiment.")
            .arg(QString::fromStdString(config_.name).toHtmlEscaped())
            .arg(QString::fromStdString(config_.scheme.type))
            .arg(family.isEmpty() ? QString() : ", device family <b>" + family + "</b>"));
    updatePendingBar();
}

void ParameterPanel::rebuild(const nlohmann::json& flat) {
    delete groupsHost_;
    rows_.clear();
    groupsHost_ = new QWidget;
    auto* hostLay = new QVBoxLayout(groupsHost_);
    hostLay->setContentsMargins(0, 0, 0, 0);
    groupsLayout_->addWidget(groupsHost_);
    layoutPaths_.clear();
    const QString family = QString::fromStdString(config_.tile.device.family());
    const std::pair<QString, QString> order[] = {
        {"training", "Training (digital optimizer)"},
        {"scheme", "Training scheme: how updates reach the devices"},
        {"device", "Device model: " + family.toUpper()},
        {"tile", "Crossbar tile: mapping, initial state, read physics"},
        {"peripherals", "Peripherals: data converters"}};
    for (const auto& [key, title] : order) {
        QGroupBox* box = nullptr;
        QFormLayout* form = nullptr;
        for (auto it = flat.begin(); it != flat.end(); ++it) {
            const QString path = QString::fromStdString(it.key());
            if (group_of(path) != key) continue;
            if (!box) {
                box = new QGroupBox(title);
                form = new QFormLayout(box);
                form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
                hostLay->addWidget(box);
            }
            layoutPaths_.append(path);
            const ParameterInfo info = parameter_info(path);
            Row row;
            row.value = it.value();
            row.hot = Experiment::is_hot(path.toStdString());
            const nlohmann::json& v = it.value();
            const QString tip = QString("<b>%1</b> (%2)<br>%3<br><i>%4</i>")
                                    .arg(info.label.toHtmlEscaped(), path.toHtmlEscaped(),
                                         info.meaning.toHtmlEscaped(),
                                         row.hot ? "live: applies while training"
                                                 : "structural: applies with a reset");
            auto commit = [this, path](nlohmann::json value) { applyValue(path, value); };
            // Signals are connected after the editor holds its value: setRange() on a fresh
            // spin box would otherwise "edit" the parameter to the range's edge.
            std::function<void()> connectEditor;
            if (v.is_boolean()) {
                auto* cb = new QCheckBox;
                connectEditor = [=, this] {
                    connect(cb, &QCheckBox::toggled, this, [commit](bool b) { commit(b); });
                };
                row.editor = cb;
            } else if (v.is_number_integer()) {
                auto* sb = new QSpinBox;
                sb->setRange(int(std::max(-2e9, info.min)), int(std::min(2e9, info.max)));
                sb->setKeyboardTracking(false);
                connectEditor = [=, this] {
                    connect(sb, &QSpinBox::valueChanged, this, [commit](int x) { commit(x); });
                };
                row.editor = sb;
            } else if (v.is_number()) {
                auto* sb = new QDoubleSpinBox;
                const double x = v.get<double>();
                int dec = info.decimals;
                if (x != 0 && std::abs(x) < 1e-2)
                    dec = std::max(dec, int(-std::floor(std::log10(std::abs(x)))) + 3);
                sb->setDecimals(std::min(dec, 10));
                sb->setRange(info.min, info.max);
                const double step =
                    x != 0 ? std::pow(10.0, std::floor(std::log10(std::abs(x))) - 1) : 0.01;
                sb->setSingleStep(step);
                sb->setKeyboardTracking(false);
                connectEditor = [=, this] {
                    connect(sb, &QDoubleSpinBox::valueChanged, this,
                            [commit](double d) { commit(d); });
                };
                row.editor = sb;
            } else if (v.is_string() && choices().contains(path)) {
                auto* cb = new QComboBox;
                cb->addItems(choices()[path]);
                connectEditor = [=, this] {
                    connect(cb, &QComboBox::textActivated, this,
                            [commit](const QString& s) { commit(s.toStdString()); });
                };
                row.editor = cb;
            } else {
                auto* le = new QLineEdit;
                connectEditor = [=, this] {
                    connect(le, &QLineEdit::editingFinished, this, [le, commit] {
                        const std::string text = le->text().toStdString();
                        commit(nlohmann::json::accept(text) ? nlohmann::json::parse(text)
                                                            : nlohmann::json(text));
                    });
                };
                row.editor = le;
            }
            row.editor->setObjectName(path);
            row.editor->setToolTip(tip);
            auto* unit = new QLabel(info.unit);
            auto* badge = new QLabel(row.hot ? "<span style='color:#1a7f37'>●</span>"
                                             : "<span style='color:#888'>●</span>");
            badge->setToolTip(row.hot ? "live: applies while training, marked on the charts"
                                      : "structural: needs a reset");
            auto* field = new QWidget;
            auto* fl = new QGridLayout(field);
            fl->setContentsMargins(0, 0, 0, 0);
            fl->addWidget(row.editor, 0, 0);
            fl->addWidget(unit, 0, 1);
            fl->addWidget(badge, 0, 2);
            fl->setColumnStretch(0, 1);
            row.error = new QLabel;
            row.error->setWordWrap(true);
            row.error->setStyleSheet("color: #b00020;");
            row.error->hide();
            fl->addWidget(row.error, 1, 0, 1, 3);
            auto* label = new QLabel(info.label);
            label->setToolTip(tip);
            form->addRow(label, field);
            setEditorValue(row, v);
            connectEditor();
            rows_.insert(path, row);
        }
    }
}

void ParameterPanel::setEditorValue(Row& row, const nlohmann::json& v) {
    row.value = v;
    QSignalBlocker block(row.editor);
    if (auto* cb = qobject_cast<QCheckBox*>(row.editor))
        cb->setChecked(v.is_boolean() && v.get<bool>());
    else if (auto* sb = qobject_cast<QSpinBox*>(row.editor))
        sb->setValue(v.is_number() ? v.get<int>() : 0);
    else if (auto* db = qobject_cast<QDoubleSpinBox*>(row.editor))
        db->setValue(v.is_number() ? v.get<double>() : 0);
    else if (auto* co = qobject_cast<QComboBox*>(row.editor))
        co->setCurrentText(QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump()));
    else if (auto* le = qobject_cast<QLineEdit*>(row.editor))
        le->setText(QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump()));
}

QString ParameterPanel::errorText(const QString& path) const {
    const auto it = rows_.find(path);
    return it == rows_.end() || !it->error || it->error->isHidden() ? QString() : it->error->text();
}

void ParameterPanel::showError(const QString& path, const QString& error) {
    auto it = rows_.find(path);
    if (it == rows_.end()) return;
    it->error->setText(error);
    it->error->setVisible(!error.isEmpty());
}

void ParameterPanel::applyValue(const QString& path, const nlohmann::json& value) {
    const std::string p = path.toStdString();
    if (Experiment::is_hot(p)) {
        if (!engine_) return;
        // Sent to the engine; its verdict comes back to the field (no GUI-thread blocking).
        QPointer<ParameterPanel> self(this);
        engine_->post([self, path, p, value](Experiment& e) {
            QString error;
            try {
                e.set_parameter(p, value);
            } catch (const std::exception& ex) {
                error = QString::fromUtf8(ex.what());
            }
            QMetaObject::invokeMethod(
                self.data(),
                [self, path, error] {
                    if (!self) return;
                    self->showError(path, error);
                    if (!error.isEmpty() && self->rows_.contains(path))
                        self->setEditorValue(self->rows_[path], self->rows_[path].value);
                },
                Qt::QueuedConnection);
        });
        return;
    }
    // Structural: validate against the whole config as the core would build it.
    try {
        nlohmann::json next = pending_;
        apply_override(next, p + "=" + value.dump());
        (void)next.get<ExperimentConfig>(); // reads and checks every field
        pending_ = next;
        if (!pendingPaths_.contains(path)) pendingPaths_.append(path);
        showError(path, {});
        if (rows_.contains(path)) rows_[path].value = value;
        updatePendingBar();
        if (path.startsWith("device."))
            Q_EMIT deviceEdited(pending_.value("device", nlohmann::json()));
    } catch (const std::exception& e) {
        showError(path, QString::fromUtf8(e.what()));
    }
}

void ParameterPanel::updatePendingBar() {
    pendingBar_->setVisible(!pendingPaths_.isEmpty());
    if (!pendingPaths_.isEmpty())
        pendingText_->setText(QString("%1 structural change(s) pending: %2")
                                  .arg(pendingPaths_.size())
                                  .arg(pendingPaths_.join(", ")));
}

} // namespace cbl::ui
