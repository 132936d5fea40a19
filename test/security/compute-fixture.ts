/**
 * A small MLS policy for the new-object label tests: one rule of each kind, a file-name rule, a
 * conditional rule, default_range glblub, a socket class the kernel knows and one it does not,
 * and an mlsvalidatetrans using the task operand.
 */
export const LABEL_POLICY = `class process
class file
class dir
class unix_stream_socket
class obsolete_netlink_firewall_socket
class chr_file
sid kernel
sid unlabeled
common fileish { read write getattr create relabelfrom relabelto }
class process { transition signal }
class file inherits fileish { execute }
class dir inherits fileish { search }
class unix_stream_socket inherits fileish
class obsolete_netlink_firewall_socket inherits fileish
class chr_file inherits fileish
default_range chr_file glblub;
sensitivity s0;
sensitivity s1;
dominance { s0 s1 }
category c0;
category c1;
category c2;
category c3;
level s0:c0.c3;
level s1:c0.c3;
mlsvalidatetrans file ( l1 eq l2 or t3 == admin_t );
type proc_t;
type exec_t;
type child_t;
type tmp_t;
type tmp_child_t;
type etc_t;
type named_t;
type tty_t;
type user_tty_t;
type admin_t;
type dir_member_t;
type cond_t;
bool flag false;
role system_r;
role system_r types { proc_t child_t admin_t };
role user_r;
role user_r types { proc_t };
allow proc_t self:process signal;
type_transition proc_t exec_t:process child_t;
type_transition proc_t tmp_t:file tmp_child_t;
type_transition proc_t etc_t:file named_t "resolv.conf";
type_member proc_t tmp_t:dir dir_member_t;
type_change proc_t tty_t:chr_file user_tty_t;
role_transition user_r exec_t:process system_r;
range_transition proc_t exec_t:process s1;
if (flag) {
  type_transition proc_t etc_t:dir cond_t;
}
user system_u roles { system_r user_r } level s0 range s0 - s1:c0.c3;
user user_u roles { user_r } level s0 range s0 - s0:c0.c1;
sid kernel system_u:system_r:proc_t:s0
sid unlabeled system_u:object_r:tmp_t:s0
`;
