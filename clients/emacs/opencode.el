;;; opencode.el --- The OpenCode agent in Emacs, through opencode-lsp and eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "29.1") (eglot "1.17") (jsonrpc "1.0.24"))
;; Keywords: tools, languages, ai
;; URL: https://github.com/opencode-lsp/opencode-lsp

;;; Commentary:

;; opencode-lsp is a language server: the OpenCode agent behind code actions and commands, in
;; front of your usual language server (its `proxy' config, in opencode.json).  Eglot speaks to one
;; server per buffer, so let opencode-lsp front the real one.
;;
;;   (require 'opencode)
;;   (setq opencode-server-command '("opencode-lsp" "--stdio"))  ; the default
;;   (opencode-setup)                  ; adds opencode-lsp to `eglot-server-programs'
;;   (add-hook 'typescript-ts-mode-hook #'eglot-ensure)
;;
;; Then:
;;   M-x eglot-code-actions   "OpenCode: Fix this diagnostic", "Explain", "Refactor selection",
;;                            "Write tests", "Add documentation", "Run instruction in comment"
;;   M-x opencode-ask         a one-off prompt (region as context); the answer streams into the
;;                            session's chat buffer and is echoed when done
;;   M-x opencode-chat        the current session's chat buffer; sends a prompt
;;   M-x opencode-sessions    pick a session (replays it into its chat buffer)
;;   M-x opencode-cancel      cancel the current session's turn
;;   M-x opencode-revert      undo the current session's edits
;;   M-x opencode-share       a share link for the current session
;;   M-x opencode-select-model
;;
;; Review before write: opencode-lsp holds the agent's edits as pending changes, drawn in the
;; buffer as an overlay diff (the lines replaced in `opencode-review-removed', the new ones below
;; them in `opencode-review-added'), until you decide:
;;   M-x opencode-review-accept / opencode-review-reject            the change at point
;;   M-x opencode-review-accept-file / opencode-review-reject-file  every change in the file
;;   M-x opencode-review-next / opencode-review-previous            move between them
;;   M-x opencode-review-list                                       all pending changes (grep-mode)
;; The same under C-c ' (a, r, A, R, n, p, l) while a buffer has some
;; (`opencode-review-mode').  Set `opencode-review' to nil to have edits land at once.
;;
;; The agent asks before it edits or runs things (as opencode.json's `permissions' say): the
;; question comes as a `completing-read' (Allow once / Always allow / Reject), or `y-or-n-p' if
;; `opencode-permission-style' is `y-or-n-p'.  Everything goes over eglot's jsonrpc connection.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'jsonrpc)
(require 'diff-mode)                    ; the faces of the review overlays
(require 'grep)                         ; `opencode-review-list'

(defgroup opencode nil
  "The OpenCode agent through opencode-lsp."
  :group 'tools
  :prefix "opencode-")

(defcustom opencode-server-command '("opencode-lsp" "--stdio")
  "The command (program and arguments) that starts opencode-lsp."
  :type '(repeat string))

(defcustom opencode-modes
  '((typescript-ts-mode :language-id "typescript")
    (typescript-mode :language-id "typescript")
    (tsx-ts-mode :language-id "typescriptreact")
    (js-mode :language-id "javascript")
    (js-ts-mode :language-id "javascript")
    (python-mode :language-id "python")
    (python-ts-mode :language-id "python")
    (go-mode :language-id "go")
    (go-ts-mode :language-id "go")
    (rust-mode :language-id "rust")
    (rust-ts-mode :language-id "rust")
    (c-mode :language-id "c")
    (c-ts-mode :language-id "c")
    (c++-mode :language-id "cpp")
    (c++-ts-mode :language-id "cpp"))
  "Major modes whose buffers eglot connects to opencode-lsp.
In `eglot-server-programs' form: the language ids are what opencode-lsp's
`proxy' entries list as `filetypes'."
  :type '(repeat sexp))

(defcustom opencode-initialization-options nil
  "Extra `initializationOptions' (a plist) for opencode-lsp.
For example (:model \"anthropic/claude-sonnet-4\")."
  :type 'plist)

(defcustom opencode-permission-style 'completing-read
  "How the agent's permission requests are asked.
`completing-read' offers Allow once / Always allow / Reject; `y-or-n-p' asks
yes (allow once) or no (reject)."
  :type '(choice (const completing-read) (const y-or-n-p)))

(defcustom opencode-display-chat t
  "Whether `opencode-ask' shows the session's chat buffer while the answer streams."
  :type 'boolean)

(defcustom opencode-review t
  "Whether to announce review before write to opencode-lsp.
Non-nil: the agent's edits arrive as pending changes, drawn in the buffer,
that you accept or reject (`opencode-review-accept', ...).  nil: they land
at once, unless opencode.json sets \"review\": \"ask\".  Read when eglot
connects."
  :type 'boolean)

;;; The server

(defclass opencode-server (eglot-lsp-server) ()
  :documentation "An eglot connection to opencode-lsp.")

(cl-defmethod eglot-initialization-options ((_server opencode-server))
  "Announce the custom protocol: permission requests, session updates, review."
  (let ((options (copy-sequence opencode-initialization-options)))
    (plist-put options :capabilities
               (append (plist-get options :capabilities)
                       (list :permissionRequests t :sessionUpdates t
                             :review (if opencode-review t :json-false))))))

(defun opencode--contact (&rest _)
  "The `eglot-server-programs' contact for opencode-lsp.
The server class and `opencode-server-command'."
  (cons 'opencode-server opencode-server-command))

;;;###autoload
(defun opencode-setup ()
  "Make eglot start opencode-lsp for the buffers of `opencode-modes'."
  (interactive)
  (setq eglot-server-programs
        (cons (cons opencode-modes #'opencode--contact)
              (cl-remove #'opencode--contact eglot-server-programs :key #'cdr))))

(defun opencode--server (&optional noerror)
  "The opencode-lsp connection for the current buffer (or any one running)."
  (let ((current (eglot-current-server)))
    (or (and (cl-typep current 'opencode-server) current)
        (cl-loop for servers being the hash-values of eglot--servers-by-project
                 thereis (cl-find-if (lambda (s) (cl-typep s 'opencode-server)) servers))
        (unless noerror
          (user-error "OpenCode: opencode-lsp is not running (see `opencode-setup', M-x eglot)")))))

(defun opencode--request (method params on-result &optional server)
  "Send METHOD with PARAMS to SERVER asynchronously, without a timeout.
ON-RESULT is called with the result."
  (let ((server (or server (opencode--server))))
    (when (and buffer-file-name (eglot-managed-p))
      (eglot--signal-textDocument/didChange))
    (jsonrpc-async-request
     server method params
     :timeout nil
     :success-fn (lambda (result) (when on-result (funcall on-result result)))
     :error-fn (lambda (error)
                 (message "OpenCode: %s" (or (plist-get error :message) error))))))

(defun opencode--command (command argument on-result)
  "Run the server's COMMAND with ARGUMENT asynchronously.
ON-RESULT is called with its result."
  (opencode--request :workspace/executeCommand
                     (list :command command :arguments (vector argument))
                     on-result))

;;; Chat buffers: one per session, rendering the opencode/session/update stream

(defvar opencode--current-session nil
  "The session that `opencode-chat', `opencode-cancel' and friends act on.")

(defvar opencode--chat-buffers (make-hash-table :test #'equal)
  "Session id -> its chat buffer.")

(defvar-local opencode--session-id nil
  "The session this chat buffer shows.")

(defvar opencode-chat-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "RET") #'opencode-chat)
    (define-key map (kbd "i") #'opencode-chat)
    (define-key map (kbd "C-c C-k") #'opencode-cancel)
    map)
  "Keys in an OpenCode chat buffer.")

(define-derived-mode opencode-chat-mode special-mode "OpenCode"
  "A session's conversation, as opencode-lsp streams it."
  (setq-local truncate-lines nil)
  (visual-line-mode 1))

(defun opencode-chat-buffer (session-id)
  "The chat buffer of SESSION-ID (created on first use)."
  (let ((buffer (gethash session-id opencode--chat-buffers)))
    (unless (buffer-live-p buffer)
      (setq buffer (generate-new-buffer (format "*opencode %s*" session-id)))
      (with-current-buffer buffer
        (opencode-chat-mode)
        (setq opencode--session-id session-id))
      (puthash session-id buffer opencode--chat-buffers))
    buffer))

(defun opencode--insert (session-id &rest strings)
  "Append STRINGS to SESSION-ID's chat buffer.
Windows showing its end keep following it."
  (with-current-buffer (opencode-chat-buffer session-id)
    (let ((inhibit-read-only t)
          (following (mapcar (lambda (w) (cons w (= (window-point w) (point-max))))
                             (get-buffer-window-list nil nil t))))
      (save-excursion
        (goto-char (point-max))
        (apply #'insert strings))
      (dolist (w following)
        (when (cdr w) (set-window-point (car w) (point-max)))))))

(defun opencode--line-start-p (session-id)
  "Whether SESSION-ID's chat buffer ends at a line start."
  (with-current-buffer (opencode-chat-buffer session-id)
    (or (= (point-max) (point-min)) (eq (char-before (point-max)) ?\n))))

(defun opencode--render (session-id update)
  "Render one session UPDATE (a plist with :kind) into SESSION-ID's chat buffer."
  (let ((nl (if (opencode--line-start-p session-id) "" "\n")))
    (pcase (plist-get update :kind)
      ("message_chunk" (opencode--insert session-id (plist-get update :text)))
      ("thought_chunk"
       (opencode--insert session-id (propertize (plist-get update :text) 'face 'shadow)))
      ("tool_call"
       (opencode--insert session-id nl
                         (propertize (format "* %s" (or (plist-get update :title)
                                                        (plist-get update :tool)))
                                     'face 'font-lock-function-name-face)
                         "\n"))
      ("tool_result"
       (let ((failed (equal (plist-get update :status) "failed"))
             (output (format "%s" (or (plist-get update :output) ""))))
         (opencode--insert session-id nl
                           (propertize (if failed "  failed" "  done")
                                       'face (if failed 'error 'success))
                           (if (and failed (not (string-empty-p output)))
                               (concat ": " (car (split-string output "\n")))
                             "")
                           "\n")))
      ("edit"
       (opencode--insert session-id nl
                         (format "  edited %s (%d change%s)\n"
                                 (file-name-nondirectory
                                  (eglot-uri-to-path (plist-get update :uri)))
                                 (length (plist-get update :edits))
                                 (if (= (length (plist-get update :edits)) 1) "" "s"))))
      ("plan"
       (opencode--insert session-id nl "Plan:\n"
                         (mapconcat (lambda (e)
                                      (format "  - [%s] %s"
                                              (or (plist-get e :status) " ")
                                              (or (plist-get e :content) (plist-get e :title) e)))
                                    (plist-get update :entries) "\n")
                         "\n"))
      ("usage"
       (with-current-buffer (opencode-chat-buffer session-id)
         (setq mode-line-process
               (format " %d tokens" (+ (or (plist-get update :inputTokens) 0)
                                       (or (plist-get update :outputTokens) 0)))))))))

(cl-defmethod eglot-handle-notification
  ((_server opencode-server) (_method (eql opencode/session/update)) &key sessionId update
   &allow-other-keys)
  "Render the session update stream into the session's chat buffer.
Pending review changes are drawn in the buffers they belong to instead."
  (when (and sessionId update)
    (if (equal (plist-get update :kind) "review")
        (opencode--review-update sessionId update)
      (opencode--render sessionId update))))

;;; Permission requests

(defconst opencode--permission-choices
  '(("Allow once" . "allow_once") ("Always allow" . "allow_always") ("Reject" . "reject"))
  "Answers to a permission request, and the outcome each sends.")

(cl-defmethod eglot-handle-request
  ((_server opencode-server) (_method (eql opencode/session/requestPermission))
   &key sessionId tool title &allow-other-keys)
  "Ask the user whether the agent may use TOOL as TITLE says."
  (let* ((what (format "OpenCode wants to %s" (or title tool)))
         (outcome
          (if (eq opencode-permission-style 'y-or-n-p)
              (if (y-or-n-p (concat what "? ")) "allow_once" "reject")
            (cdr (assoc (completing-read (concat what ": ") opencode--permission-choices
                                         nil t nil nil "Allow once")
                        opencode--permission-choices)))))
    (when sessionId
      (opencode--insert sessionId (format "  %s: %s\n" what (or outcome "reject"))))
    (list :outcome (or outcome "reject"))))

;;; Code actions: OpenCode's run asynchronously (the agent may take minutes)

(cl-defmethod eglot-execute :around ((server opencode-server) action)
  "Run OpenCode's code ACTION without blocking Emacs; others as eglot does."
  (let ((data (plist-get action :data))
        (command (plist-get action :command)))
    (cond
     ;; A CodeAction to resolve: the agent runs during the resolve, its edits arrive as
     ;; workspace/applyEdit meanwhile.
     ((and (plist-get data :opencode) (not (plist-get action :edit)) (not command))
      (message "%s…" (plist-get action :title))
      (opencode--request :codeAction/resolve action
                         (lambda (_) (message "%s: done" (plist-get action :title)))
                         server))
     ;; The command form (`opencode.codeAction.run'), for a server that sent commands.
     ((and (equal (if (stringp command) command (plist-get command :command))
                  "opencode.codeAction.run"))
      (let ((params (if (stringp command) action command)))
        (message "%s…" (plist-get action :title))
        (opencode--request :workspace/executeCommand
                           (list :command "opencode.codeAction.run"
                                 :arguments (plist-get params :arguments))
                           (lambda (_) (message "%s: done" (plist-get action :title)))
                           server)))
     (t (cl-call-next-method)))))

;;; Commands

(defun opencode--context ()
  "The current file (and region) as a prompt context item, or nil."
  (when (and buffer-file-name (eglot-managed-p))
    (append (eglot--TextDocumentIdentifier)
            (when (use-region-p)
              (list :range (list :start (eglot--pos-to-lsp-position (region-beginning))
                                 :end (eglot--pos-to-lsp-position (region-end))))))))

(defun opencode--show-chat (session-id &optional select)
  "Display SESSION-ID's chat buffer; SELECT its window when non-nil."
  (let ((buffer (opencode-chat-buffer session-id)))
    (if select (pop-to-buffer buffer) (display-buffer buffer))
    buffer))

(defun opencode--user-turn (session-id prompt)
  "Write PROMPT as the user's turn in SESSION-ID's chat buffer."
  (opencode--insert session-id
                    (if (opencode--line-start-p session-id) "" "\n")
                    (propertize (concat "> " prompt) 'face 'bold) "\n\n"))

(defun opencode--new-session (title then)
  "Create a session titled TITLE, make it current, and call THEN with its id."
  (opencode--request :opencode/session/new (list :title title)
                     (lambda (result)
                       (let ((id (plist-get result :sessionId)))
                         (setq opencode--current-session id)
                         (funcall then id)))))

;;;###autoload
(defun opencode-ask (prompt)
  "Ask OpenCode PROMPT about the current file (and region), in a new session.
The answer streams into the session's chat buffer and is echoed when the
turn ends."
  (interactive (list (read-string "OpenCode ask: ")))
  (when (string-empty-p (string-trim prompt)) (user-error "OpenCode: empty prompt"))
  (let ((context (opencode--context))
        (source (current-buffer)))
    (opencode--new-session
     (truncate-string-to-width prompt 60)
     (lambda (id)
       (opencode--user-turn id prompt)
       (when opencode-display-chat (opencode--show-chat id))
       (with-current-buffer (if (buffer-live-p source) source (current-buffer))
         (opencode--command
          "opencode.ask"
          (append (list :prompt prompt :sessionId id) context)
          (lambda (result)
            (opencode--insert id (if (opencode--line-start-p id) "" "\n") "\n")
            (let ((text (plist-get result :text)))
              (message "%s" (if (string-empty-p (or text "")) "OpenCode: done" text))))))))))

(defun opencode--send (session-id prompt context)
  "Send PROMPT (with CONTEXT items) in SESSION-ID, streaming into its chat buffer."
  (opencode--user-turn session-id prompt)
  (opencode--request :opencode/session/prompt
                     (append (list :sessionId session-id :prompt prompt)
                             (when context (list :context (vector context))))
                     (lambda (result)
                       (let ((stop (plist-get result :stopReason)))
                         (opencode--insert
                          session-id (if (opencode--line-start-p session-id) "" "\n")
                          (if (equal stop "end_turn") ""
                            (propertize (format "[%s%s]\n" stop
                                                (if (plist-get result :error)
                                                    (concat ": " (plist-get result :error)) ""))
                                        'face 'warning))
                          "\n")))))

;;;###autoload
(defun opencode-chat (prompt)
  "Send PROMPT in the current OpenCode session, showing its chat buffer.
A new session starts when there is none.  From a file buffer, the file
\(and region) go along as context."
  (interactive (list (read-string "OpenCode> ")))
  (let ((context (and (not (derived-mode-p 'opencode-chat-mode)) (opencode--context))))
    (cl-flet ((go (id)
                (opencode--show-chat id t)
                (unless (string-empty-p (string-trim prompt))
                  (opencode--send id prompt context))))
      (if opencode--current-session
          (go opencode--current-session)
        (opencode--new-session "Emacs" #'go)))))

;;;###autoload
(defun opencode-sessions ()
  "Pick an OpenCode session: it becomes current and its chat buffer shows it again."
  (interactive)
  (let* ((sessions (append (jsonrpc-request (opencode--server) :opencode/session/list nil) nil))
         (items (mapcar (lambda (s)
                          (cons (format "%s  (%s, %s messages)" (plist-get s :title)
                                        (plist-get s :model) (plist-get s :messages))
                                (plist-get s :sessionId)))
                        sessions)))
    (unless items (user-error "OpenCode: no sessions"))
    (let ((id (cdr (assoc (completing-read "OpenCode session: " items nil t) items))))
      (setq opencode--current-session id)
      (with-current-buffer (opencode-chat-buffer id)
        (let ((inhibit-read-only t)) (erase-buffer)))
      (opencode--show-chat id t)
      (opencode--request :opencode/session/load (list :sessionId id) nil))))

(defun opencode--current-or-lose ()
  "The current session's id, or an error."
  (or (and (derived-mode-p 'opencode-chat-mode) opencode--session-id)
      opencode--current-session
      (user-error "OpenCode: no current session")))

;;;###autoload
(defun opencode-cancel ()
  "Cancel the current session's turn."
  (interactive)
  (jsonrpc-notify (opencode--server) :opencode/session/cancel
                  (list :sessionId (opencode--current-or-lose)))
  (message "OpenCode: cancelled"))

;;;###autoload
(defun opencode-revert ()
  "Undo the current session's edits (only its own)."
  (interactive)
  (opencode--command "opencode.session.revert" (list :sessionId (opencode--current-or-lose))
                     (lambda (result)
                       (message "OpenCode: reverted %s file(s)" (plist-get result :reverted)))))

;;;###autoload
(defun opencode-share ()
  "A share link for the current session, put on the kill ring."
  (interactive)
  (opencode--command "opencode.session.share" (list :sessionId (opencode--current-or-lose))
                     (lambda (result)
                       (kill-new (plist-get result :url))
                       (message "OpenCode: share link copied"))))

(defun opencode--ranking-line (entry rank current)
  "One line of the benchmark ranking: RANK, ENTRY's model, score and figures.
The model CURRENT is marked."
  (let ((p50 (plist-get entry :latencyP50Ms))
        (cost (plist-get entry :costPerThousandTasks))
        (errors (plist-get entry :errors)))
    (format "%d. %s  score %.3f  EM %s%%  ES %s  tok %s%%  idF1 %s%%  p50 %s  %s%s%s"
            rank (plist-get entry :model) (plist-get entry :score)
            (plist-get entry :exactMatch) (plist-get entry :editSimilarity)
            (plist-get entry :tokenAccuracy) (plist-get entry :identifierF1)
            (if (numberp p50) (format "%d ms" (round p50)) "-")
            (if (and (numberp cost) (> cost 0)) (format "$%.4f/1k" cost) "free")
            (if (and (numberp errors) (> errors 0)) (format "  %d failed" errors) "")
            (if (equal (plist-get entry :model) current) "  (current)" ""))))

(defun opencode--read-model ()
  "Ask for a model: from the workspace's last `opencode-lsp bench --save' ranking.
Best first, with its figures; without one, from the catalogue's usable models."
  (let* ((server (opencode--server))
         (last (jsonrpc-request server :workspace/executeCommand (list :command "opencode.model.select")))
         (ranking (append (plist-get last :ranking) nil)))
    (if (null ranking)
        (completing-read "OpenCode model: "
                         (cl-loop for m across (jsonrpc-request server :opencode/models nil)
                                  when (eq (plist-get m :usable) t) collect (plist-get m :id)))
      (let* ((current (plist-get last :current))
             (lines (cl-loop for entry in ranking for rank from 1
                             collect (cons (opencode--ranking-line entry rank current) (plist-get entry :model))))
             ;; Keep the ranking's order (completing-read would sort it).
             (table (lambda (string pred action)
                      (if (eq action 'metadata)
                          '(metadata (display-sort-function . identity) (cycle-sort-function . identity))
                        (complete-with-action action lines string pred))))
             (choice (completing-read "OpenCode model (last benchmark, best first): " table nil t)))
        (or (cdr (assoc choice lines)) choice)))))

;;;###autoload
(defun opencode-select-model (model)
  "Use MODEL (\"provider/model\") for new sessions.
Interactively, pick it from the last benchmark ranking (`opencode-lsp bench
--save'), best first with its figures, or from the usable models without one."
  (interactive (list (opencode--read-model)))
  (opencode--command "opencode.model.select" (list :model model)
                     (lambda (_) (message "OpenCode: model %s" model))))

;;;###autoload
(defun opencode-view-link (url)
  "Show the transcript of share link URL, read-only.
The link is verified by `opencode-lsp share view' before anything is shown."
  (interactive "sOpenCode share link: ")
  (let* ((args (append (cl-remove "--stdio" (cdr opencode-server-command) :test #'equal)
                       (list "share" "view" url)))
         (buffer (get-buffer-create "*OpenCode shared*")))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (let ((status (apply #'call-process (car opencode-server-command) nil t nil args)))
          (unless (eq status 0)
            (goto-char (point-min))
            (insert (format "opencode-lsp share view failed (exit %s):\n\n" status)))))
      (goto-char (point-min))
      (special-mode))
    (pop-to-buffer buffer)
    buffer))

;;; Review before write: pending changes as an overlay diff

(defface opencode-review-removed '((t :inherit diff-removed))
  "The lines a pending change replaces."
  :group 'opencode)

(defface opencode-review-added '((t :inherit diff-added))
  "The lines a pending change brings (shown below the lines it replaces)."
  :group 'opencode)

(defvar opencode--review-pending (make-hash-table :test #'equal)
  "Session id -> alist (uri . hunks): what the server last said is pending.")

(defun opencode--review-hunks (&optional buffer)
  "Every session's pending hunks of the file BUFFER visits, in line order.
BUFFER defaults to the current one."
  (let ((buffer (or buffer (current-buffer)))
        hunks)
    (maphash (lambda (_ files)
               (dolist (file files)
                 (when (eq (opencode--review-buffer (car file)) buffer)
                   (setq hunks (append (cdr file) hunks)))))
             opencode--review-pending)
    (sort hunks (lambda (a b) (< (opencode--hunk-line a :start) (opencode--hunk-line b :start))))))

(defun opencode--hunk-line (hunk which)
  "The line (0-based) where HUNK's range starts or ends (WHICH :start or :end)."
  (plist-get (plist-get (plist-get hunk :range) which) :line))

(defun opencode--review-buffer (uri)
  "The live buffer visiting URI, or nil."
  (let ((path (ignore-errors (eglot-uri-to-path uri))))
    (and path (find-buffer-visiting path))))

(defun opencode--line-pos (line)
  "The position where LINE (0-based) starts, or `point-max' past the end."
  (save-excursion
    (save-restriction
      (widen)
      (goto-char (point-min))
      (if (zerop (forward-line line)) (point) (point-max)))))

(defun opencode--review-draw ()
  "Redraw the current buffer's pending changes (its file's, from every session)."
  (remove-overlays (point-min) (point-max) 'opencode-review t)
  (let ((count 0))
    (dolist (hunk (opencode--review-hunks))
      (let* ((beg (opencode--line-pos (opencode--hunk-line hunk :start)))
             (end (max beg (opencode--line-pos (opencode--hunk-line hunk :end))))
             (new (or (plist-get hunk :newText) ""))
             (shown (propertize (if (and (> (length new) 0) (= end (point-max))
                                         (> end (point-min)) (/= (char-before end) ?\n))
                                    (concat "\n" new) ; the last line has no newline of its own
                                  new)
                                'face 'opencode-review-added))
             (ov (make-overlay beg end nil nil nil)))
        (overlay-put ov 'opencode-review t)
        (overlay-put ov 'opencode-hunk hunk)
        (overlay-put ov 'priority 100)
        (if (= beg end)
            (overlay-put ov 'before-string shown)
          (overlay-put ov 'face 'opencode-review-removed)
          (overlay-put ov 'after-string shown))
        (cl-incf count)))
    (opencode-review-mode (if (> count 0) 1 -1))))

(defun opencode--review-update (session-id update)
  "Take SESSION-ID's whole pending set from UPDATE; redraw the buffers it names."
  (let ((files (gethash session-id opencode--review-pending))
        (uris nil))
    (dolist (file (append (plist-get update :files) nil))
      (let ((uri (plist-get file :uri))
            (hunks (append (plist-get file :hunks) nil)))
        (setq files (assoc-delete-all uri files))
        (when hunks (push (cons uri hunks) files))
        (push uri uris)))
    (if files
        (puthash session-id files opencode--review-pending)
      (remhash session-id opencode--review-pending))
    (dolist (uri uris)
      (let ((buffer (opencode--review-buffer uri)))
        (when buffer
          (with-current-buffer buffer (opencode--review-draw)))))))

(defun opencode--review-overlays ()
  "The current buffer's pending-change overlays, in buffer order."
  (sort (cl-remove-if-not (lambda (ov) (overlay-get ov 'opencode-review))
                          (overlays-in (point-min) (point-max)))
        (lambda (a b) (< (overlay-start a) (overlay-start b)))))

(defun opencode--review-at-point ()
  "The pending hunk at point: its lines hold point, or it inserts on this line."
  (let ((bol (line-beginning-position))
        (eol (line-end-position)))
    (cl-loop for ov in (opencode--review-overlays)
             for beg = (overlay-start ov) for end = (overlay-end ov)
             when (if (= beg end)
                      (or (= beg bol) (and (= beg (point-max)) (<= bol beg) (<= beg eol)))
                    (and (<= beg (point)) (< (point) end)))
             return (overlay-get ov 'opencode-hunk))))

(defun opencode--review-decide (verb argument)
  "Send opencode.review.VERB (\"accept\" or \"reject\") with ARGUMENT."
  (opencode--command (concat "opencode.review." verb) argument
                     (lambda (result)
                       (let ((n (or (plist-get result :accepted) (plist-get result :rejected) 0)))
                         (message "OpenCode: %s %d change%s"
                                  (if (equal verb "accept") "accepted" "rejected")
                                  n (if (= n 1) "" "s"))))))

(defun opencode--review-hunk-argument ()
  "The command argument naming the pending hunk at point, or a user error."
  (let ((hunk (or (opencode--review-at-point)
                  (user-error "OpenCode: no pending change at point"))))
    (list :sessionId (plist-get hunk :sessionId)
          :uri (plist-get hunk :uri)
          :hunkId (plist-get hunk :id))))

(defun opencode--review-file-or-lose ()
  "The current file's uri (as the server spells it) when it has pending changes.
Otherwise a user error."
  (let ((hunk (car (opencode--review-hunks))))
    (unless hunk (user-error "OpenCode: no pending changes in this file"))
    (plist-get hunk :uri)))

;;;###autoload
(defun opencode-review-accept ()
  "Accept the pending change at point: it lands in the buffer as one undo step."
  (interactive)
  (opencode--review-decide "accept" (opencode--review-hunk-argument)))

;;;###autoload
(defun opencode-review-reject ()
  "Reject the pending change at point (the model is told, next turn)."
  (interactive)
  (opencode--review-decide "reject" (opencode--review-hunk-argument)))

;;;###autoload
(defun opencode-review-accept-file ()
  "Accept every pending change in this file (all sessions'), as one edit."
  (interactive)
  (opencode--review-decide "accept" (list :uri (opencode--review-file-or-lose))))

;;;###autoload
(defun opencode-review-reject-file ()
  "Reject every pending change in this file (all sessions')."
  (interactive)
  (opencode--review-decide "reject" (list :uri (opencode--review-file-or-lose))))

(defun opencode--review-jump (forward)
  "Move to the next pending change (FORWARD non-nil) or the previous, wrapping."
  (let* ((starts (mapcar (lambda (ov)
                           ;; An insertion after the last newline: shown from the last line.
                           (let ((p (overlay-start ov)))
                             (if (and (= p (point-max)) (> p (point-min))
                                      (eq (char-before p) ?\n))
                                 (save-excursion (goto-char p) (line-beginning-position 0))
                               p)))
                         (opencode--review-overlays)))
         (bol (line-beginning-position))
         (target (if forward
                     (or (cl-find-if (lambda (p) (> p (line-end-position))) starts) (car starts))
                   (or (cl-find-if (lambda (p) (< p bol)) starts :from-end t) (car (last starts))))))
    (unless target (user-error "OpenCode: no pending changes in this file"))
    (goto-char target)))

;;;###autoload
(defun opencode-review-next ()
  "Move to the next pending change in this buffer."
  (interactive)
  (opencode--review-jump t))

;;;###autoload
(defun opencode-review-previous ()
  "Move to the previous pending change in this buffer."
  (interactive)
  (opencode--review-jump nil))

(defun opencode--first-line (text)
  "TEXT's first line, trimmed, or nil when TEXT is empty."
  (and text (not (string-empty-p text))
       (string-trim (car (split-string text "\n")))))

;;;###autoload
(defun opencode-review-list ()
  "List every pending change (`opencode.review.list') in a `grep-mode' buffer.
RET or `next-error' visits one."
  (interactive)
  (let ((directory default-directory))
    (opencode--command
     "opencode.review.list" (make-hash-table)
     (lambda (result)
       (let ((hunks (append (plist-get result :hunks) nil))
             (buffer (get-buffer-create "*opencode review*")))
         (with-current-buffer buffer
           (let ((inhibit-read-only t))
             (erase-buffer)
             (setq default-directory directory)
             (insert (format "OpenCode: %d pending change%s\n\n" (length hunks)
                             (if (= (length hunks) 1) "" "s")))
             (dolist (hunk hunks)
               (insert (format "%s:%d: +%s -%s  %s\n"
                               (eglot-uri-to-path (plist-get hunk :uri))
                               (1+ (opencode--hunk-line hunk :start))
                               (plist-get hunk :added) (plist-get hunk :removed)
                               (or (opencode--first-line (plist-get hunk :newText))
                                   (opencode--first-line (plist-get hunk :oldText)) ""))))
             (grep-mode)))
         (display-buffer buffer)
         (message "OpenCode: %d pending change%s" (length hunks) (if (= (length hunks) 1) "" "s")))))))

(defvar opencode-review-command-map
  (let ((map (make-sparse-keymap)))
    (define-key map "a" #'opencode-review-accept)
    (define-key map "r" #'opencode-review-reject)
    (define-key map "A" #'opencode-review-accept-file)
    (define-key map "R" #'opencode-review-reject-file)
    (define-key map "n" #'opencode-review-next)
    (define-key map "p" #'opencode-review-previous)
    (define-key map "l" #'opencode-review-list)
    map)
  "The review commands, under `C-c \='' in `opencode-review-mode'.")
(fset 'opencode-review-command-map opencode-review-command-map)

(defvar opencode-review-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c '") 'opencode-review-command-map)
    map)
  "Keys while a buffer has pending OpenCode changes.")

(define-minor-mode opencode-review-mode
  "A buffer with pending OpenCode changes, drawn as an overlay diff.
\\{opencode-review-command-map}"
  :lighter " Review"
  :keymap opencode-review-mode-map)

(defun opencode--review-redraw-on-open ()
  "Draw what is pending for a buffer eglot starts managing."
  (when (and (eglot-managed-p) buffer-file-name (opencode--review-hunks))
    (opencode--review-draw)))
(add-hook 'eglot-managed-mode-hook #'opencode--review-redraw-on-open)

(provide 'opencode)
;;; opencode.el ends here
